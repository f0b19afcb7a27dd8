// Package parquetcheck reads Parquet files with the Apache Arrow Go reader,
// an implementation independent of the parquet-go writer the engine uses,
// and reports what Spark's and Glue's readers would object to: data pages
// other than version 1, encodings other than PLAIN, RLE and dictionary, a
// missing created_by or missing statistics. It also lists each column's
// physical and logical types, so tests can assert DECIMAL, LIST, MAP and
// timestamp annotations. It is for tests only: nothing outside _test files
// imports it, so the Arrow module never reaches streamcheck's binary.
package parquetcheck
