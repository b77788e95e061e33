/**
 * Group-based authorization and method routing: which backend verifies which PPP method, or authorizes which
 * IKEv2 client IKE verified (with fallback), the groups a user is in (from the backend and, optionally, the
 * directory), and the ordered rules that turn them into allow or deny, address pool, DNS servers, timeouts and a
 * per-user session limit. First match wins.
 */
package net.l2sec.aaa.policy;
