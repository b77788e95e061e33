/** What the dataplane asks of the operating system beyond sockets and the TUN device: thread priorities. */
package net.l2sec.dataplane.os;
