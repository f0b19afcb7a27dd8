// Writes kpl_aggregated.json: Kinesis records made by aws-kinesis-agg (the
// Node.js module of awslabs/kinesis-aggregation, a KPL-compatible producer
// library), so that streamcheck's de-aggregation is tested against bytes it
// did not write itself. Regenerate with:
//
//   npm install aws-kinesis-agg@4.2.8 && node aggregate.js > kpl_aggregated.json
//
// 2,000 user records {"serialnumber":"kpl-NNNNN","n":N} go out in
// aggregates of 1 to 97 records (the sizes cycle), each user record with its
// own partition key and every fifth with an explicit hash key.
const { RecordAggregator } = require('aws-kinesis-agg');

const out = [];
const agg = new RecordAggregator();
let sizes = [97, 1, 40, 13, 64, 2];
let want = sizes[0], k = 0;
for (let i = 0; i < 2000; i++) {
  const rec = {
    partitionKey: 'key-' + (i % 37),
    data: Buffer.from(JSON.stringify({ serialnumber: 'kpl-' + String(i).padStart(5, '0'), n: i })),
  };
  if (i % 5 === 0) {
    rec.explicitHashKey = String(BigInt(i) * 170141183460469231731687303715884105n % 340282366920938463463374607431768211455n);
  }
  agg.addUserRecord(rec);
  if (agg.length() === want || i === 1999) {
    const enc = agg.build();
    out.push({ partitionKey: enc.partitionKey, explicitHashKey: enc.explicitHashKey || '', data: enc.data.toString('base64') });
    k++;
    want = sizes[k % sizes.length];
  }
}
process.stdout.write(JSON.stringify(out, null, 0).replace(/\},\{/g, '},\n{') + '\n');
