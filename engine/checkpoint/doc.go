// Package checkpoint keeps a streaming job's progress in the layout of Spark
// Structured Streaming: a metadata file, an offsets/N write-ahead log with
// the plan of batch N, written before any of its output, and a commits/N log
// written after the output is complete. Every file is created with a
// conditional write, so two engines cannot both plan batch N.
//
// A lease object (<checkpoint>/lease) keeps a second engine out before it
// does any work. An engine takes the lease if there is none, if its owner
// released it on a clean shutdown, if it has expired (an owner renews it at
// every batch, with If-Match, for LeaseTimeout), or if its owner is known to
// be dead: a process on this host that no longer exists, or an engine in this
// process that has crashed. Otherwise Open fails with ErrLocked. An owner
// whose renewal fails with a precondition has been taken over and must stop
// (ErrLeaseLost) without writing.
package checkpoint
