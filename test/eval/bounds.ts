// Binomial rates and their one-sided bounds, for the evaluations that report error rates from counts.

/** P(X <= k) for X ~ binomial(n, p), in log space. */
export function binomialCdf(k: number, n: number, p: number): number {
  if (p <= 0) return 1;
  if (p >= 1) return k >= n ? 1 : 0;
  let logPmf = n * Math.log1p(-p);
  let sum = Math.exp(logPmf);
  for (let i = 1; i <= k; i++) {
    logPmf += Math.log((n - i + 1) / i) + Math.log(p) - Math.log1p(-p);
    sum += Math.exp(logPmf);
  }
  return Math.min(1, sum);
}

/** One-sided 95% Clopper-Pearson upper bound of a rate from k events in n trials (k = 0: about 3/n). */
export function upper95(k: number, n: number): number {
  if (n === 0) return 1;
  let lo = k / n;
  let hi = 1;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (binomialCdf(k, n, mid) > 0.05) lo = mid;
    else hi = mid;
  }
  return hi;
}
