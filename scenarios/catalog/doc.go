// Package catalog holds streamcheck's built-in scenarios: the engine on the
// embedded stack in steady state, crashed at each crash point, killed with
// SIGKILL, under each family of emulator faults (S3, Kinesis, Kafka,
// DynamoDB), resharded during load, with its checkpoint deleted, reading
// enhanced fan-out, KPL aggregates and CSV, Avro and Grok payloads,
// aggregating windows, and compacted while it writes. Each is a
// scenarios.Scenario written only with package scenarios' exported API, as
// a scenario of your own is: the catalog is a user of the framework, not a
// part of it.
//
// Catalog lists them in the order `streamcheck scenario list` shows them;
// Lookup finds one by name; WithReplay makes a run's replay command name
// the catalog's commands. `streamcheck scenario run NAME` runs one, and so
// does `go test ./scenarios/catalog -run 'TestCatalog/NAME$' -seed N`.
package catalog
