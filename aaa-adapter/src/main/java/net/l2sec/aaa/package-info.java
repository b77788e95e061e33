/**
 * Authentication, authorization and accounting backends behind the {@link net.l2sec.spi.auth.Authenticator} SPI
 * (module {@code spi}; this module never sees the dataplane). Backends block only on virtual threads and never
 * touch Netty channels. Sub-packages: {@code local} (the {@code conf/users} file), {@code radius}
 * (authentication, the accounting spool, Disconnect/CoA), {@code ldap} (LDAP/Active Directory binds and groups),
 * {@code policy} (method routing and group rules).
 */
package net.l2sec.aaa;
