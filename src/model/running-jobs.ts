/**
 * Every native job running in this thread, so that process exit is prompt: at
 * process.exit() libuv joins its thread pool, which would wait for each running
 * transcription to finish (minutes, for long audio). The exit listener is there only while
 * jobs run.
 */
const runningJobs = new Set<{ cancel(): void }>();
const cancelRunningJobs = () => {
  for (const job of runningJobs) job.cancel();
};

export function trackJob(job: { cancel(): void }): void {
  if (runningJobs.size === 0) process.on('exit', cancelRunningJobs);
  runningJobs.add(job);
}

export function untrackJob(job: { cancel(): void }): void {
  if (runningJobs.delete(job) && runningJobs.size === 0) process.off('exit', cancelRunningJobs);
}
