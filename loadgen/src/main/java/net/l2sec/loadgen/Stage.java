package net.l2sec.loadgen;

/** The steps a simulated client goes through, in order; a failure is counted against the step it happened in. */
public enum Stage {
    IKE("ike"),
    QUICK_MODE("quick_mode"),
    L2TP("l2tp"),
    PPP_LCP("ppp_lcp"),
    PPP_AUTH("ppp_auth"),
    IPCP("ipcp"),
    /** After IPCP: the session was up and ended before the run did. */
    SESSION("session");

    private final String tag;

    Stage(String tag) {
        this.tag = tag;
    }

    /** The name in progress and RESULT lines. */
    public String tag() {
        return tag;
    }
}
