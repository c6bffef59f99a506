//! Three-colour levels (CTRL-6): red, yellow or green for a customer, from the rules that
//! fired, the peer alerts that cover it and its rating grade, with every cause listed.
//!
//! The policy, configured in the pack's `[levels]` table:
//!
//! 1. A red rule (or red peer alert) makes the customer red; a yellow one at least yellow;
//!    a green-watch one keeps it green but puts it on the watch list.
//! 2. `yellow_rules_for_red` yellow rules and alerts together make it red (shipped: 3):
//!    one weak signal is a reason to track a customer, several independent ones at once
//!    are the pattern that precedes default. 0 turns the escalation off.
//! 3. `watch_rules_for_yellow` green-watch rules together make it yellow (shipped: 2): a
//!    signal too common to make a customer yellow alone can still, with another, be the
//!    pattern worth tracking. Green-watch peer alerts do not count: they say the customer's
//!    industry or region is deteriorating, which is true of every customer in it. 0 turns
//!    it off.
//! 4. The grade: at or below `red_at_or_below` on `grade_scale` → red, at or below
//!    `yellow_at_or_below` → at least yellow. The scale lists grades best first; the
//!    shipped one merges the letter scale (AAA … CCC, C) and the 100-point scale
//!    (AAA, AA, A, B, C) of the rating model in one order, so either grade can be given.
//!    A grade not on the scale changes nothing and is reported as a cause.

use serde::Serialize;

use crate::aggregate::PeerAlert;

/// A customer's warning level.
pub use credence_domain::Level;

/// What a rule contributes to a customer's level when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleLevel {
    GreenWatch,
    Yellow,
    Red,
}

impl RuleLevel {
    pub const ALL: [RuleLevel; 3] = [RuleLevel::Red, RuleLevel::Yellow, RuleLevel::GreenWatch];

    pub fn code(self) -> &'static str {
        match self {
            RuleLevel::Red => "red",
            RuleLevel::Yellow => "yellow",
            RuleLevel::GreenWatch => "green_watch",
        }
    }

    pub fn parse(code: &str) -> Option<RuleLevel> {
        RuleLevel::ALL.into_iter().find(|l| l.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            RuleLevel::Red => "红色",
            RuleLevel::Yellow => "黄色",
            RuleLevel::GreenWatch => "绿色关注",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            RuleLevel::Red => "red",
            RuleLevel::Yellow => "yellow",
            RuleLevel::GreenWatch => "green (watch)",
        }
    }
}

/// The level policy of a pack (its `[levels]` table).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelPolicy {
    /// Grades, best first.
    pub grade_scale: Vec<String>,
    pub yellow_at_or_below: String,
    pub red_at_or_below: String,
    /// This many yellow contributions make red; 0 never.
    pub yellow_rules_for_red: u32,
    /// This many green-watch contributions make yellow; 0 never.
    pub watch_rules_for_yellow: u32,
}

/// A rule that fired, as a level reads it: which, and how severe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleHit {
    pub code: String,
    pub level: RuleLevel,
}

/// What a level is decided from.
#[derive(Debug, Clone, Copy, Default)]
pub struct LevelInput<'a> {
    pub firings: &'a [RuleHit],
    /// The customer's current rating grade, if rated.
    pub grade: Option<&'a str>,
    /// The peer alerts that cover the customer ([`PeerAlert::covers`]).
    pub peer_alerts: &'a [&'a PeerAlert],
}

/// Why a customer has its level. Serialised with a `cause` tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum LevelCause {
    /// A rule fired.
    Rule { code: String, contributes: RuleLevel },
    /// A peer alert covers the customer's industry or region.
    PeerAlert { code: String, group: String, signal: String, contributes: RuleLevel },
    /// Enough yellow contributions to make red.
    YellowRulesEscalate { count: u32, threshold: u32 },
    /// Enough green-watch contributions to make yellow.
    WatchRulesEscalate { count: u32, threshold: u32 },
    /// The rating grade is at or below a level's grade.
    Grade { grade: String, at_or_below: String, level: Level },
    /// The grade is not on the scale and was ignored.
    UnknownGrade { grade: String },
}

/// A customer's level and everything that raised it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelDecision {
    pub level: Level,
    /// Some green-watch rule or alert applies (a green customer on the watch list).
    pub watch: bool,
    pub causes: Vec<LevelCause>,
}

impl LevelPolicy {
    fn position(&self, grade: &str) -> Option<usize> {
        let g = grade.trim();
        self.grade_scale.iter().position(|s| s.eq_ignore_ascii_case(g))
    }

    /// Decides a customer's level; see the module documentation for the policy.
    pub fn decide(&self, input: &LevelInput) -> LevelDecision {
        let mut level = Level::Green;
        let mut causes = Vec::new();
        let (mut yellows, mut watches) = (0u32, 0u32);
        let mut contribute = |l: RuleLevel, own: bool, level: &mut Level| match l {
            RuleLevel::Red => *level = Level::Red,
            RuleLevel::Yellow => {
                yellows += 1;
                *level = (*level).max(Level::Yellow);
            }
            RuleLevel::GreenWatch => watches += u32::from(own),
        };
        for f in input.firings {
            contribute(f.level, true, &mut level);
            causes.push(LevelCause::Rule { code: f.code.clone(), contributes: f.level });
        }
        for a in input.peer_alerts {
            contribute(a.level, false, &mut level);
            causes.push(LevelCause::PeerAlert {
                code: a.code.clone(),
                group: a.group.clone(),
                signal: a.signal.clone(),
                contributes: a.level,
            });
        }
        if self.yellow_rules_for_red > 0 && yellows >= self.yellow_rules_for_red {
            level = Level::Red;
            causes.push(LevelCause::YellowRulesEscalate {
                count: yellows,
                threshold: self.yellow_rules_for_red,
            });
        }
        if self.watch_rules_for_yellow > 0 && watches >= self.watch_rules_for_yellow {
            level = level.max(Level::Yellow);
            causes.push(LevelCause::WatchRulesEscalate {
                count: watches,
                threshold: self.watch_rules_for_yellow,
            });
        }
        if let Some(grade) = input.grade {
            match self.position(grade) {
                None => causes.push(LevelCause::UnknownGrade { grade: grade.to_owned() }),
                Some(p) => {
                    let at = |g: &str| self.position(g).is_some_and(|limit| p >= limit);
                    let by_grade = if at(&self.red_at_or_below) {
                        Some((Level::Red, &self.red_at_or_below))
                    } else if at(&self.yellow_at_or_below) {
                        Some((Level::Yellow, &self.yellow_at_or_below))
                    } else {
                        None
                    };
                    if let Some((l, limit)) = by_grade {
                        level = level.max(l);
                        causes.push(LevelCause::Grade {
                            grade: self.grade_scale[p].clone(),
                            at_or_below: limit.clone(),
                            level: l,
                        });
                    }
                }
            }
        }
        LevelDecision { level, watch: watches > 0, causes }
    }
}
