//! A check's plugin calls, sans I/O: [`Plan`] says which plugin is called with which request, the
//! host executes each call its own way (wasmtime natively, a Web Worker in a page), and [`Finish`]
//! turns each answer or failure into what `kpitree_core::check_with` merges. `PluginSet::run_until`
//! and the browser's `PluginRun` are both plan → execute → finish, so a configuration, an answer and
//! a failure mean the same in both.

use crate::error::{ErrorKind, PluginError};
use crate::host::{Request, RuleSwitches, findings_from_response};
use crate::{Manifest, Reads, Requests};
use kpitree_core::finding::Finding;
use kpitree_core::report::{PluginFailure, PluginResults};
use kpitree_core::tree::Tree;
use std::collections::BTreeMap;

/// The plugins a check calls, in load order: each loaded plugin with a rule switched on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    jobs: Vec<Job>,
}

/// One call of [`Plan`]: a plugin and what it is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// The plugin's position among those [`Plan::new`] was given.
    pub plugin: usize,
    /// Its `[plugins.<name>]` configuration as JSON text (`{}` when it has none).
    pub config: String,
    /// The parts of the tree it reads.
    pub reads: Reads,
}

impl Plan {
    /// The calls for the loaded `plugins` (each one's manifest and switches, in load order) under
    /// the plugin sections of a configuration (`[plugins.<name>]`, by name). A plugin whose rules
    /// are all switched off is not called.
    pub fn new<'a>(
        configs: &BTreeMap<String, serde_json::Value>,
        plugins: impl IntoIterator<Item = (&'a Manifest, &'a RuleSwitches)>,
    ) -> Plan {
        let jobs = plugins
            .into_iter()
            .enumerate()
            .filter(|(_, (_, switches))| switches.enabled() > 0)
            .map(|(plugin, (manifest, _))| Job {
                plugin,
                config: configs.get(&manifest.name).map_or_else(|| "{}".to_owned(), |v| v.to_string()),
                reads: manifest.reads(),
            })
            .collect();
        Plan { jobs }
    }

    /// The calls, in load order.
    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }
}

impl Job {
    /// Its request for the tree of `requests` (encoded there on first use, once per distinct
    /// [`Reads`]: a host encodes a tree only for the calls it makes).
    pub fn request<'r>(&'r self, requests: &'r mut Requests<'_>) -> Request<'r> {
        requests.request(self.reads, self.config.as_bytes())
    }
}

/// A plugin's findings from its answer (`response`, at most `output_limit` bytes, as the host made
/// sure): the response checked against `manifest` and `tree` ([`findings_from_response`]), findings of
/// rules switched off dropped and a configured severity applied ([`RuleSwitches::apply`]).
pub fn findings(
    manifest: &Manifest,
    switches: &RuleSwitches,
    tree: &Tree,
    response: &[u8],
    output_limit: usize,
) -> Result<Vec<Finding>, ErrorKind> {
    let mut findings = findings_from_response(manifest, tree, response, output_limit)
        .map_err(|e| ErrorKind::from_response(e, response))?;
    switches.apply(manifest, &mut findings);
    Ok(findings)
}

/// What a check's plugins contributed, gathered answer by answer (so a host need not hold them all):
/// failures in the order they are given (a host gives loading failures first, then each call's in
/// plan order), findings in plan order.
#[derive(Debug)]
pub struct Finish<'t> {
    tree: &'t Tree,
    results: PluginResults,
}

impl<'t> Finish<'t> {
    /// Nothing gathered yet, for answers about `tree`.
    pub fn new(tree: &'t Tree) -> Finish<'t> {
        Finish { tree, results: PluginResults::default() }
    }

    /// A plugin that failed: to load, or its call (a runtime failure, or a call not made).
    pub fn failed(&mut self, error: &PluginError) {
        self.results.errors.push(PluginFailure::from(error));
    }

    /// The answer of the plugin of `manifest` and `switches` (what its `kpitree_evaluate` returned,
    /// at most `output_limit` bytes): its findings, or the error that rejects the answer.
    pub fn answered(&mut self, manifest: &Manifest, switches: &RuleSwitches, response: &[u8], output_limit: usize) {
        match findings(manifest, switches, self.tree, response, output_limit) {
            Ok(found) => {
                self.results.findings.extend(found);
                self.results.rules_run += switches.enabled();
            }
            Err(kind) => self.failed(&kind.of(&manifest.name)),
        }
    }

    /// Everything gathered, for `kpitree_core::check_with`.
    pub fn results(self) -> PluginResults {
        self.results
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Call;
    use kpitree_core::finding::Severity;

    const TREE: &str = r#"{"version": 1, "organisation": "Acme", "as_of": "2026-11-27", "nodes": [
        {"id": "s", "kind": "strategy", "title": "Grow", "owner": "ceo"}]}"#;

    fn manifest(name: &str, reads: Option<&[&str]>) -> Manifest {
        let mut m = serde_json::json!({"name": name, "version": "1", "rules": [
            {"id": format!("{name}-a"), "severity": "info", "summary": "s", "why": "w", "fix": "f"},
            {"id": format!("{name}-b"), "severity": "info", "summary": "s", "why": "w", "fix": "f"}]});
        if let Some(reads) = reads {
            m["reads"] = serde_json::json!(reads);
        }
        serde_json::from_value(m).expect("a manifest")
    }

    #[test]
    fn plugins_with_no_rule_on_are_not_called_and_each_gets_its_configuration() {
        let (p, q, r) = (manifest("p", None), manifest("q", Some(&["title"])), manifest("r", None));
        let mut off = RuleSwitches::new(&q);
        off.set(&q, "q-a", Some(false), None);
        off.set(&q, "q-b", Some(false), None);
        let on = RuleSwitches::new(&p);
        let configs = BTreeMap::from([("r".to_owned(), serde_json::json!({"k": 1}))]);
        let plan = Plan::new(&configs, [(&p, &on), (&q, &off), (&r, &on)]);
        let jobs: Vec<_> = plan.jobs().iter().map(|j| (j.plugin, j.config.as_str(), j.reads)).collect();
        assert_eq!(jobs, [(0, "{}", Reads::ALL), (2, r#"{"k":1}"#, Reads::ALL)]);
        let q_plan = Plan::new(&configs, [(&q, &on)]);
        assert_eq!(q_plan.jobs()[0].reads, q.reads());
    }

    #[test]
    fn answers_are_checked_switched_and_failures_kept_in_order() {
        let doc = kpitree_core::parse_json("t.json", TREE).expect("parses");
        let tree = Tree::new("t.json", doc).expect("valid");
        let p = manifest("p", None);
        let mut switches = RuleSwitches::new(&p);
        switches.set(&p, "p-a", None, Some(Severity::Error));
        switches.set(&p, "p-b", Some(false), None);
        let mut finish = Finish::new(&tree);
        finish.failed(&ErrorKind::Timeout { call: Call::Evaluate, limit: std::time::Duration::ZERO }.of("x"));
        let answer =
            br#"{"findings":[{"rule":"p-a","nodes":["s"],"message":"m"},{"rule":"p-b","nodes":[],"message":"n"}]}"#;
        finish.answered(&p, &switches, answer, 1 << 20);
        finish.answered(&p, &switches, br#"{"findings":[{"rule":"zz","nodes":[],"message":""}]}"#, 1 << 20);
        let results = finish.results();
        assert_eq!(results.rules_run, 1);
        assert_eq!(results.findings.len(), 1);
        assert_eq!(results.findings[0].severity, Severity::Error);
        let codes: Vec<_> = results.errors.iter().map(|e| (e.plugin.as_str(), e.code.as_str())).collect();
        assert_eq!(codes, [("x", "timeout"), ("p", "undeclared-rule")]);
    }
}
