package net.l2sec.loadgen;

/**
 * {@code java -jar l2sec-loadgen.jar --server HOST --clients N ...}: see {@link Options#USAGE}. Exit status 0 when
 * every client came up (and, with pings, got an answer), 1 otherwise, 2 for a usage error.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen: " + e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        Report.Summary s = new LoadGenerator(options, System.out).run();
        System.out.println(s.text());
        System.out.println(s.resultLine());
        System.out.flush();
        System.exit(s.ok() ? 0 : 1);
    }
}
