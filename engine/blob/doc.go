// Package blob stores the engine's objects — output, dead letters and the
// checkpoint — in an S3 prefix or a local directory behind one small
// interface with the conditional writes the checkpoint needs: create only if
// absent (If-None-Match: *) and replace only if unchanged (If-Match: ETag).
//
// Local writes are durable: temp file, fsync, then rename (or link, for
// create-if-absent, so that it is atomic). In S3, large unconditional
// writes can go as multipart uploads (S3.Multipart): the object appears
// whole when the upload completes, as with one PutObject, or not at all.
package blob
