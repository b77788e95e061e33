package net.l2sec.spi.auth;

import net.l2sec.spi.session.SessionContext;

/** One authentication attempt of a PPP session. */
public record AuthRequest(SessionContext session, AuthMethod method, Credentials credentials) {}
