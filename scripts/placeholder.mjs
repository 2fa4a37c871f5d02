// Placeholder for scripts a later issue fills in; exits non-zero so nobody mistakes it for a result.
const what = process.argv[2] ?? 'this script';
console.error(`npm run ${what}: not implemented yet (placeholder until its issue lands)`);
process.exit(2);
