// Benchmark baseline: the least a Node post-renderer can do, copying stdin to stdout.
process.stdin.pipe(process.stdout);
