/**
 * Authentication, authorization and accounting backends behind the dataplane's
 * {@link net.l2sec.dataplane.auth.Authenticator} SPI. Backends block only on virtual threads and never touch
 * Netty channels. Sub-packages: {@code local} (the {@code conf/users} file); RADIUS and LDAP come later.
 */
package net.l2sec.aaa;
