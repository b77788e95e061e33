package net.l2sec.aaa.policy;

import java.util.List;
import java.util.Set;

/** Ordered rules, first match wins; {@code fallback} decides for users no rule matches. */
public record Policy(List<PolicyRule> rules, PolicyRule fallback) {
    public Policy {
        rules = List.copyOf(rules);
    }

    /** No rules: everyone the backend accepts is allowed with the defaults (the behaviour without a policy). */
    public static Policy allowAll() {
        return new Policy(List.of(), PolicyRule.allowAll("default"));
    }

    public PolicyRule decide(Set<String> groups) {
        for (PolicyRule r : rules) {
            if (r.matches(groups)) return r;
        }
        return fallback;
    }
}
