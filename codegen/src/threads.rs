//! Work shared out among threads: each job on a scoped thread of its own,
//! the results in the jobs' order, a panic passed on to the caller.

/// `work` applied to each of `jobs`, each on its own thread; the results in
/// the order of `jobs`.
pub(crate) fn each<J: Sync, R: Send>(jobs: &[J], work: impl Fn(&J) -> R + Sync) -> Vec<R> {
    let work = &work;
    std::thread::scope(|scope| {
        let workers: Vec<_> = jobs
            .iter()
            .map(|job| scope.spawn(move || work(job)))
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}
