// Package settings holds the settings every emulator takes (clock, fault
// injector, seed, data directory, listen address, region and account ID),
// with one method per setting that validates and sets it, so that each
// emulator's exported options (WithClock, WithFaults, ...) refuse the same
// bad values with the same words.
//
// An emulator's unexported config embeds Common; its options call the
// methods, and its New calls Defaults after applying them (an emulator that
// takes no fault injector may set its clock alone). The defaults that
// differ between emulators (address, region, account) stay with each package,
// set in its config before the options run.
package settings
