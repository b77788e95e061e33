package net.l2sec.concentrator.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.l2sec.dataplane.l2tp.L2tpSettings;
import net.l2sec.dataplane.ppp.PppSettings;
import net.l2sec.dataplane.udp.Transport;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads and validates {@code concentrator.yaml} (YAML 1.2, so {@code no} stays a string). Every problem is
 * collected and reported together as {@code file: key: reason}; unknown keys are refused. Each section has a
 * reader that returns the settings its subsystem uses and states that section's defaults; the shipped
 * {@code conf/concentrator.yaml} documents every key and its default.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    public static ConcentratorConfig load(Path file) throws ConfigException {
        List<String> problems = new ArrayList<>();
        ConfigNode root = ConfigNode.root(file, parse(file), problems);
        ConcentratorConfig config = read(root);
        root.rejectUnknownKeys();
        if (!problems.isEmpty()) throw new ConfigException(problems);
        return config;
    }

    private static Object parse(Path file) throws ConfigException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setAllowDuplicateKeys(false).build();
            return new Load(settings).loadFromReader(r);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(file + ": no such file"));
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark().map(m -> "line " + (m.getLine() + 1) + " column " + (m.getColumn() + 1)).orElse("?");
            throw new ConfigException(List.of(file + ": " + where + ": not valid YAML: " + e.getProblem()));
        } catch (YamlEngineException e) {
            throw new ConfigException(List.of(file + ": not valid YAML: " + e.getMessage()));
        }
    }

    /** The sections in the order their problems are reported. */
    private static ConcentratorConfig read(ConfigNode root) {
        ConfigNode serverSection = root.section("server");
        String name = serverName(serverSection);
        ConcentratorConfig.Server server = new ConcentratorConfig.Server(name, transport(serverSection),
                serverSection.integer("workers", Runtime.getRuntime().availableProcessors(), 1, MAX_WORKERS));
        ConcentratorConfig.L2tp l2tp = L2tpConfigReader.read(root.section("l2tp"), name);
        TunnelInterfaceConfigReader.TunAndPools addressing = TunnelInterfaceConfigReader.read(root);
        PppSettings ppp = PppConfigReader.read(root.section("ppp"), addressing);
        AaaConfig aaa = AaaConfigReader.read(root.section("aaa"), name, addressing.poolNames());
        ConcentratorConfig.Metrics metrics = OpsConfigReader.metrics(root.section("metrics"));
        ConcentratorConfig.Ipsec ipsec = IpsecConfigReader.read(root.section("ipsec"), l2tp.requireIpsec());
        ConcentratorConfig.Logging logging = OpsConfigReader.logging(root.section("logging"));
        ConcentratorConfig.Admin admin = OpsConfigReader.admin(root);
        return new ConcentratorConfig(root.file(), l2tp, ppp, addressing.tun(), addressing.pools(), aaa, metrics, ipsec,
                logging, admin, server, addressing.pools6());
    }

    /** {@code server.workers} at most. */
    static final int MAX_WORKERS = 256;

    /** {@code server.transport}: {@code auto} (epoll where it loads, else NIO), {@code epoll} or {@code nio}. */
    private static Transport.Choice transport(ConfigNode server) {
        String text = server.string("transport", "auto");
        try {
            return Transport.Choice.parse(text);
        } catch (IllegalArgumentException e) {
            server.problem("transport", e.getMessage());
            return Transport.Choice.AUTO;
        }
    }

    /** {@code server.name}: our L2TP Host Name and PPP authenticator name, by default the LNS's own. */
    private static String serverName(ConfigNode server) {
        String name = server.string("name", L2tpSettings.defaults().hostName());
        if (name.isBlank() || name.length() > 64) server.problem("name", "must be 1 to 64 characters");
        return name;
    }
}
