// The pacer on a simulated clock: a broadcast on one number with transactional traffic mixed in. Used by
// `npm run sim:pacing` (prints the figures) and by the property test (checks them). Pure: seeded random.
import { afterSend, DEFAULT_PACING, initialState, type LaneCounts, nextBroadcastAt, type BroadcastPacing } from "./pacer";

/** Deterministic random numbers in [0, 1) (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type SimResult = {
  sent: number;
  transactional: number;
  transactionalPerDay: number[];
  gaps: number[];
  rests: number;
  perDay: number[];
  maxPerHour: number;
  longestTransactionalWaitMs: number;
  endedAt: number;
};

/**
 * Sends `recipients` broadcast messages from `start` with a number `ageDays` old, one transactional message every
 * `transactionalEveryMs`. Transactional sends go at once (the DeviceSession's transactional lane; at most one
 * transactional gap, `transactionalGapMs`); the broadcast lane's caps count broadcast sends, as the runner does.
 */
export function simulate(o: { recipients: number; ageDays: number; seed: number; pacing?: BroadcastPacing; transactionalEveryMs?: number; transactionalGapMs?: number; health?: number }): SimResult {
  const p = o.pacing ?? DEFAULT_PACING;
  const rng = seeded(o.seed);
  let state = initialState(p, rng);
  const start = Date.UTC(2026, 11, 7, 1, 0);
  let now = start;
  const sendTimes: number[] = [];
  const txTimes: number[] = [];
  const gaps: number[] = [];
  let rests = 0;
  let longestTx = 0;
  let nextTx = start + (o.transactionalEveryMs ?? 600_000);
  let lastTx = -Infinity;
  const txGap = o.transactionalGapMs ?? 4000;
  for (let sent = 0; sent < o.recipients; ) {
    const counts = countsAt(sendTimes, now);
    const t = nextBroadcastAt(now, state, p, counts, o.ageDays + (now - start) / 86_400_000, o.health ?? 1);
    if (t === "pause") break;
    // Transactional messages due before the next broadcast send go first, never held by the broadcast lane.
    while (nextTx <= t) {
      const at = Math.max(nextTx, lastTx + txGap);
      longestTx = Math.max(longestTx, at - nextTx);
      lastTx = at;
      txTimes.push(at);
      nextTx += o.transactionalEveryMs ?? 600_000;
    }
    const last = sendTimes[sendTimes.length - 1];
    if (sent > 0 && last !== undefined) gaps.push(t - last);
    now = t;
    sendTimes.push(now);
    sent++;
    const next = afterSend(state, p, now, rng);
    if (next.rested) rests++;
    state = next;
  }
  const perDay: number[] = [];
  const transactionalPerDay: number[] = [];
  for (const s of txTimes) {
    const d = Math.floor((s - start) / 86_400_000);
    transactionalPerDay[d] = (transactionalPerDay[d] ?? 0) + 1;
  }
  for (const s of sendTimes) {
    const d = Math.floor((s - start) / 86_400_000);
    perDay[d] = (perDay[d] ?? 0) + 1;
  }
  let maxPerHour = 0;
  for (let i = 0, j = 0; i < sendTimes.length; i++) {
    while ((sendTimes[i] ?? 0) - (sendTimes[j] ?? 0) >= 3_600_000) j++;
    maxPerHour = Math.max(maxPerHour, i - j + 1);
  }
  return { sent: sendTimes.length, transactional: txTimes.length, gaps, rests, perDay: Array.from(perDay, (n) => n ?? 0), transactionalPerDay: Array.from(transactionalPerDay, (n) => n ?? 0), maxPerHour, longestTransactionalWaitMs: longestTx, endedAt: now };
}

function countsAt(times: number[], now: number): LaneCounts {
  let hour = 0;
  let day = 0;
  let hourOldest: number | null = null;
  let dayOldest: number | null = null;
  for (let i = times.length - 1; i >= 0; i--) {
    const t = times[i] ?? 0;
    if (now - t >= 86_400_000) break;
    day++;
    dayOldest = t;
    if (now - t < 3_600_000) {
      hour++;
      hourOldest = t;
    }
  }
  return { hour, hourOldest, day, dayOldest };
}
