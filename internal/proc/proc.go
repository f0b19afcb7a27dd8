// Package proc answers questions about processes on this host, for the
// locks and leases that a crashed process may leave behind.
package proc
