package net.l2sec.aaa.policy;

import net.l2sec.spi.auth.Authenticator;

/** A named authentication backend a method route lists: {@code local}, {@code radius} or {@code ldap}. */
public record Backend(String name, Authenticator authenticator) {}
