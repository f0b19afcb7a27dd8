// Package enginetest holds test doubles for code that drives the engine:
// kinesistest (a minimal Kinesis JSON endpoint) and s3test (a minimal S3).
// They are small on purpose and serve only what the engine calls; for full
// emulators with fault injection use streamcheck's emulator packages.
// VentilatorJob is the one definition of the Glue blog's ventilator job
// that tests, scenarios and the bench build their jobs on.
package enginetest
