const cpu = process.cpuUsage(); const t = performance.now();
let a = 1, b = 2, c = 3, d = 1, acc = 0;
for (let i = 0; i < 300_000_000; i++) { const x = (((a + b) | 0) + d) | 0; d = (d + 1) | 0; a = b ^ (b >>> 9); b = (c + (c << 3)) | 0; c = (c << 21) | (c >>> 11); c = (c + x) | 0; acc += x & 1; }
const u = process.cpuUsage(cpu);
console.log('3e8 sfc32 steps: wall', (performance.now() - t).toFixed(0), 'cpu', ((u.user + u.system) / 1000).toFixed(0), acc);
