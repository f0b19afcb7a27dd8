package generators

// Accessors of the values the seeded data sets draw from. They are functions
// returning copies, not variables, so that no caller can change what a seed
// produces.

// VentilatorIDs returns the range of ventilatorid values (1–50).
func VentilatorIDs() Range { return ventilatorIDs }

// NormalPressureControl returns the normal range of pressurecontrol, the reference a job grades readings against.
func NormalPressureControl() Range { return normalPressureControl }

// NormalO2Stats returns the normal range of o2stats.
func NormalO2Stats() Range { return normalO2Stats }

// NormalMinuteVolume returns the normal range of minutevolume.
func NormalMinuteVolume() Range { return normalMinuteVolume }

// MalformedKinds returns every kind of malformed record, in the order a seed draws them.
func MalformedKinds() []string { return append([]string(nil), malformedKinds...) }
