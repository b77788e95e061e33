package net.l2sec.dataplane.auth;

import net.l2sec.dataplane.SessionContext;

/** One authentication attempt of a PPP session. */
public record AuthRequest(SessionContext session, AuthMethod method, Credentials credentials) {}
