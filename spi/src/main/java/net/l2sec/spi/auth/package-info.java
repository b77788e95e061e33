/**
 * Authentication SPI between the dataplane and the AAA backends: credentials as PPP carried them, the backend's
 * decision, and the RFC 2759 MS-CHAPv2 computations both sides need.
 */
package net.l2sec.spi.auth;
