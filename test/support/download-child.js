// Child process for test/download.test.ts: one downloadModel() call, its result as JSON.
const { downloadModel } = require('../../dist/cjs');

const [url, cacheDir, sha256] = process.argv.slice(2);
downloadModel(url, { cacheDir, sha256 }).then(
  (file) => console.log(JSON.stringify({ file })),
  (error) => {
    console.log(JSON.stringify({ error: error.name, message: error.message }));
    process.exitCode = 1;
  },
);
