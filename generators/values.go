package generators

// Accessors of the values the seeded data sets draw from. They are functions
// returning copies, not variables, so that no caller can change what a seed
// produces.

// VentilatorPressureControl returns the range pressurecontrol readings are drawn from (3–40).
func VentilatorPressureControl() Range { return ventilatorPressureControl }

// VentilatorO2Stats returns the range o2stats readings are drawn from (90–100).
func VentilatorO2Stats() Range { return ventilatorO2Stats }

// VentilatorMinuteVolume returns the range minutevolume readings are drawn from (2–10).
func VentilatorMinuteVolume() Range { return ventilatorMinuteVolume }

// VentilatorIDs returns the range of ventilatorid values (1–50).
func VentilatorIDs() Range { return ventilatorIDs }

// NormalPressureControl returns the normal range of pressurecontrol, the reference a job grades readings against.
func NormalPressureControl() Range { return normalPressureControl }

// NormalO2Stats returns the normal range of o2stats.
func NormalO2Stats() Range { return normalO2Stats }

// NormalMinuteVolume returns the normal range of minutevolume.
func NormalMinuteVolume() Range { return normalMinuteVolume }

// VentilatorManufacturers returns the manufacturer values, as in the Glue streaming blog.
func VentilatorManufacturers() []string { return append([]string(nil), ventilatorManufacturers...) }

// PaymentEventTypes returns the event_type values of the payments data set.
func PaymentEventTypes() []string { return append([]string(nil), paymentEventTypes...) }

// PaymentCurrencies returns the currency values of the payments data set.
func PaymentCurrencies() []string { return append([]string(nil), paymentCurrencies...) }

// PaymentUsers returns the number of distinct user_id values of the payments data set.
func PaymentUsers() int { return paymentUsers }

// PaymentAmount returns the range of payment amounts, in cents.
func PaymentAmount() Range { return paymentAmount }

// MalformedKinds returns every kind of malformed record, in the order a seed draws them.
func MalformedKinds() []string { return append([]string(nil), malformedKinds...) }
