//! Import graph and reachability.

use std::collections::VecDeque;

/// Directed edges between file indices.
#[derive(Debug, Default, Clone)]
pub struct ImportGraph {
    edges: Vec<Vec<usize>>,
}

impl ImportGraph {
    pub fn new(files: usize) -> Self {
        Self {
            edges: vec![Vec::new(); files],
        }
    }

    pub fn add_edge(&mut self, from: usize, to: usize) {
        if from < self.edges.len() && to < self.edges.len() && from != to {
            self.edges[from].push(to);
        }
    }

    /// Whether each file is imported by some other file.
    pub fn imported(&self) -> Vec<bool> {
        let mut out = vec![false; self.edges.len()];
        for targets in &self.edges {
            for &t in targets {
                out[t] = true;
            }
        }
        out
    }

    /// Files reachable from `entries` (entries included).
    pub fn reachable(&self, entries: impl IntoIterator<Item = usize>) -> Vec<bool> {
        let mut seen = vec![false; self.edges.len()];
        let mut queue: VecDeque<usize> = VecDeque::new();
        for e in entries {
            if e < seen.len() && !seen[e] {
                seen[e] = true;
                queue.push_back(e);
            }
        }
        while let Some(f) = queue.pop_front() {
            for &t in &self.edges[f] {
                if !seen[t] {
                    seen[t] = true;
                    queue.push_back(t);
                }
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reachability_follows_edges_and_handles_cycles() {
        let mut g = ImportGraph::new(5);
        g.add_edge(0, 1);
        g.add_edge(1, 2);
        g.add_edge(2, 1);
        g.add_edge(3, 4);
        assert_eq!(g.reachable([0]), vec![true, true, true, false, false]);
    }
}
