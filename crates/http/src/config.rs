//! Configuration from the environment, read once per cold start.
//!
//! A function's `Config::from_env` asks for all of its variables through [`Env`], which collects
//! every missing or malformed one and fails with a message naming them all, so a misconfigured
//! deployment says exactly what to fix on its first cold start. There are no silent defaults.

use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
#[error("configuration is incomplete: {}", .problems.join("; "))]
pub struct ConfigError {
    pub problems: Vec<String>,
}

/// Collects variables, remembering every problem until [`Env::finish`].
#[derive(Clone)]
pub struct Env {
    vars: BTreeMap<String, String>,
    problems: Vec<String>,
}

impl Env {
    /// Reads the process environment.
    pub fn from_process() -> Self {
        Self::from_map(std::env::vars().collect())
    }

    pub fn from_map(vars: BTreeMap<String, String>) -> Self {
        Env {
            vars,
            problems: Vec::new(),
        }
    }

    /// A required, non-empty variable (empty string on failure; `finish` reports it).
    pub fn required(&mut self, name: &str) -> String {
        match self.vars.get(name).map(|v| v.trim()) {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => {
                self.problems.push(format!("{name} is not set"));
                String::new()
            }
        }
    }

    /// An optional variable, parsed; `default` when it is absent or empty (a value that does not
    /// parse is a problem, not a silent default).
    pub fn optional<T, E: std::fmt::Display>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
        default: T,
    ) -> T {
        match self.vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            None => default,
            Some(v) => match parse(v) {
                Ok(t) => t,
                Err(e) => {
                    self.problems.push(format!("{name} {e}"));
                    default
                }
            },
        }
    }

    /// A required comma-separated list that may be empty: the variable must be set, but set to
    /// nothing it means "none" (no WhatsApp number allowed yet, every number in the default
    /// tenant), which fails closed where the list is used, not at every cold start.
    pub fn list(&mut self, name: &str) -> Vec<String> {
        match self.vars.get(name) {
            Some(v) => v
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            None => {
                self.problems.push(format!("{name} is not set"));
                Vec::new()
            }
        }
    }

    /// A required variable parsed with `parse`; its error message says what was expected.
    pub fn parsed<T, E: std::fmt::Display>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let raw = self.required(name);
        if raw.is_empty() {
            return None;
        }
        match parse(&raw) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problems.push(format!("{name} is invalid: {e}"));
                None
            }
        }
    }

    /// Records a problem found while interpreting a variable (reported by `finish`).
    pub fn problem(&mut self, problem: String) {
        self.problems.push(problem);
    }

    /// Fails if anything was missing or invalid; otherwise returns `value`.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, ConfigError> {
        if !self.problems.is_empty() {
            return Err(ConfigError {
                problems: self.problems,
            });
        }
        value().ok_or_else(|| ConfigError {
            problems: vec!["configuration could not be assembled".into()],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_may_be_empty_but_must_be_set() {
        let mut env = Env::from_map(BTreeMap::from([
            ("A".to_string(), " x, y ,,".to_string()),
            ("B".to_string(), "".to_string()),
        ]));
        assert_eq!(env.list("A"), vec!["x", "y"]);
        assert!(env.list("B").is_empty());
        assert!(env.list("C").is_empty());
        assert_eq!(env.finish(|| Some(())).unwrap_err().problems, vec!["C is not set"]);
    }

    #[test]
    fn every_missing_variable_is_named_in_one_error() {
        let mut env = Env::from_map(BTreeMap::from([
            ("A".to_string(), "1".to_string()),
            ("C".into(), " ".into()),
        ]));
        let a = env.required("A");
        let _b = env.required("B");
        let _c = env.required("C");
        let err = env.finish(|| Some(a)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration is incomplete: B is not set; C is not set"
        );
    }

    #[test]
    fn a_malformed_variable_says_what_is_wrong() {
        let mut env = Env::from_map(BTreeMap::from([("N".to_string(), "x".to_string())]));
        let n = env.parsed("N", |s| s.parse::<u32>());
        let err = env.finish(|| n).unwrap_err();
        assert!(err.to_string().starts_with("configuration is incomplete: N is invalid"));
    }
}
