//! A deterministic generator of realistic KPI-tree documents, for the benchmarks.
//!
//! The trees are shaped like a real organisation's: a few strategies; objectives (about 8% of the
//! nodes, some nested under other objectives) owned by teams from a pool of about `n / 40`, a few of
//! which own far too many; three to five key results per objective with check-ins; KPIs (about 65%)
//! under key results, objectives and other KPIs, some shared by two parents, each with twelve monthly
//! measurements; `drives` links between leading and lagging KPIs, half of them backed by the data.
//! Every unhealthy pattern the built-in rules look for occurs at a realistic rate: orphans, overloaded
//! parents, missing owners, stale reviews and check-ins, activity key results, key results copying a
//! KPI, duplicated metrics, check-ins without learning, appraisal coupling.
//!
//! No `rand` crate: a seeded xorshift keeps the output identical on every machine. [`shapes`] adds the
//! adversarial shapes (deep chain, long cycle, one line, wide fan, many parents) of the scaling runs.

use kpitree_core::Date;
use kpitree_core::model::{
    CheckIn, Direction, Indicator, Link, LinkKind, Measurement, Node, NodeKind, Status, Thresholds, TreeDoc,
};
use std::collections::{HashMap, HashSet};

// Not every crate that includes this generator uses the shapes.
#[allow(dead_code)]
pub mod shapes;

/// The seed every benchmark generates its trees with, so they all measure the same trees.
pub const SEED: u64 = 0x006b_7069_7472_6565;

/// The tree sizes a benchmark runs: `KPITREE_BENCH_SIZES` (comma-separated node counts) if set, else
/// `default`.
pub fn sizes(default: &[usize]) -> Vec<usize> {
    match std::env::var("KPITREE_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) => default.to_vec(),
    }
}

/// A size as benchmark names show it: `10k`, or the count when it is not whole thousands.
// `%`, not `is_multiple_of`: this file is also compiled by crates whose MSRV (1.85) predates it.
#[allow(clippy::manual_is_multiple_of)]
pub fn label(n: usize) -> String {
    if n % 1000 == 0 { format!("{}k", n / 1000) } else { n.to_string() }
}

/// The date every generated tree describes.
pub fn as_of() -> Date {
    Date::from_ymd(2026, 11, 27).expect("a real date")
}

/// Xorshift64* : small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `lo..=hi`.
    fn int(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

fn round(x: f64, decimals: u32) -> f64 {
    let p = [1.0, 10.0, 100.0, 1000.0][decimals.min(3) as usize];
    (x * p).round() / p
}

use Direction::{HigherIsBetter as H, LowerIsBetter as L};
use Indicator::{Lagging as Lag, Leading as Lead};

/// A metric a department tracks: name, unit, direction, indicator, typical level, decimals.
type Metric = (&'static str, &'static str, Direction, Indicator, f64, u32);

struct Department {
    name: &'static str,
    slug: &'static str,
    /// Relative number of teams.
    weight: usize,
    functions: &'static [&'static str],
    metrics: &'static [Metric],
    activities: &'static [&'static str],
}

const DEPARTMENTS: &[Department] = &[
    Department {
        name: "Sales",
        slug: "sales",
        weight: 14,
        functions: &["Enterprise Sales", "Mid-Market Sales", "SMB Sales", "Partnerships", "Sales Operations"],
        metrics: &[
            ("New bookings", "EUR", H, Lag, 250_000.0, 0),
            ("Pipeline coverage", "ratio", H, Lead, 3.2, 2),
            ("Win rate", "%", H, Lag, 24.0, 1),
            ("Qualified meetings booked", "count", H, Lead, 140.0, 0),
            ("Average deal size", "EUR", H, Lag, 18_000.0, 0),
            ("Sales cycle length", "days", L, Lag, 62.0, 0),
            ("Average discount", "%", L, Lead, 11.0, 1),
        ],
        activities: &[
            "Roll out the new CRM to every sales pod",
            "Run a pricing and packaging review",
            "Hire two partner managers",
        ],
    },
    Department {
        name: "Marketing",
        slug: "mkt",
        weight: 10,
        functions: &["Growth Marketing", "Brand", "Content", "Lifecycle Marketing", "Field Marketing"],
        metrics: &[
            ("Marketing qualified leads", "count", H, Lead, 1200.0, 0),
            ("Cost per lead", "EUR", L, Lead, 85.0, 2),
            ("Website conversion rate", "%", H, Lead, 2.8, 2),
            ("Aided brand awareness", "%", H, Lag, 31.0, 1),
            ("Email click-through rate", "%", H, Lead, 3.4, 2),
            ("Customer acquisition cost", "EUR", L, Lag, 640.0, 0),
        ],
        activities: &[
            "Launch the spring brand campaign",
            "Publish the annual retail benchmark report",
            "Rebuild the pricing page",
        ],
    },
    Department {
        name: "Product",
        slug: "prod",
        weight: 10,
        functions: &["Core Product", "Growth Product", "Payments Product", "Mobile"],
        metrics: &[
            ("Weekly active users", "count", H, Lag, 48_000.0, 0),
            ("Activation rate", "%", H, Lead, 38.0, 1),
            ("Feature adoption", "%", H, Lead, 22.0, 1),
            ("Time to first value", "days", L, Lead, 4.5, 1),
            ("Trial to paid conversion", "%", H, Lag, 14.0, 1),
        ],
        activities: &[
            "Ship the self-serve onboarding flow",
            "Run six discovery interviews a week",
            "Launch offline mode on mobile",
        ],
    },
    Department {
        name: "Engineering",
        slug: "eng",
        weight: 18,
        functions: &["Platform", "Checkout", "Search", "Infrastructure", "Developer Experience", "Identity"],
        metrics: &[
            ("Deployment frequency", "per week", H, Lead, 18.0, 0),
            ("Change failure rate", "%", L, Lead, 7.5, 1),
            ("Mean time to restore", "hours", L, Lag, 3.2, 1),
            ("p95 page load time", "ms", L, Lead, 1400.0, 0),
            ("Service availability", "%", H, Lag, 99.82, 2),
            ("Lead time for changes", "days", L, Lead, 2.6, 1),
        ],
        activities: &[
            "Migrate checkout to the new payment gateway",
            "Retire the legacy search cluster",
            "Introduce on-call runbooks for every service",
        ],
    },
    Department {
        name: "Customer Success",
        slug: "cs",
        weight: 12,
        functions: &["Customer Success", "Support", "Onboarding", "Account Management"],
        metrics: &[
            ("Net revenue retention", "%", H, Lag, 104.0, 1),
            ("Gross churn rate", "%", L, Lag, 1.9, 2),
            ("Net promoter score", "points", H, Lag, 38.0, 0),
            ("First response time", "hours", L, Lead, 5.5, 1),
            ("Tickets per 100 customers", "count", L, Lead, 12.0, 1),
            ("Customer health score", "points", H, Lead, 71.0, 0),
            ("Customer satisfaction", "%", H, Lag, 86.0, 1),
        ],
        activities: &[
            "Launch quarterly business reviews for top accounts",
            "Introduce a customer health dashboard",
            "Rewrite the top 50 help articles",
        ],
    },
    Department {
        name: "Finance",
        slug: "fin",
        weight: 6,
        functions: &["FP&A", "Controlling", "Billing", "Procurement"],
        metrics: &[
            ("Gross margin", "%", H, Lag, 62.0, 1),
            ("Days sales outstanding", "days", L, Lag, 41.0, 0),
            ("Operating expenses", "EUR", L, Lag, 1_800_000.0, 0),
            ("Forecast accuracy", "%", H, Lead, 91.0, 1),
            ("Invoice error rate", "%", L, Lead, 1.4, 2),
        ],
        activities: &[
            "Close the books in five working days",
            "Move billing to usage-based invoices",
            "Renegotiate the top ten supplier contracts",
        ],
    },
    Department {
        name: "Operations",
        slug: "ops",
        weight: 12,
        functions: &["Fulfilment", "Logistics", "Warehouse", "Quality"],
        metrics: &[
            ("On-time delivery", "%", H, Lag, 93.0, 1),
            ("Order cycle time", "hours", L, Lead, 30.0, 1),
            ("Pick accuracy", "%", H, Lead, 99.1, 2),
            ("Cost per order", "EUR", L, Lag, 6.8, 2),
            ("Return rate", "%", L, Lag, 8.5, 1),
            ("Inventory turns", "ratio", H, Lag, 7.2, 1),
        ],
        activities: &[
            "Open the second warehouse",
            "Introduce same-day delivery in three cities",
            "Automate returns labelling",
        ],
    },
    Department {
        name: "People",
        slug: "ppl",
        weight: 5,
        functions: &["Talent Acquisition", "People Partners", "Learning"],
        metrics: &[
            ("Time to hire", "days", L, Lead, 38.0, 0),
            ("Regretted attrition", "%", L, Lag, 6.5, 1),
            ("Employee engagement", "points", H, Lag, 72.0, 0),
            ("Offer acceptance rate", "%", H, Lead, 81.0, 1),
            ("Training hours per employee", "hours", H, Lead, 14.0, 1),
        ],
        activities: &[
            "Launch the manager training programme",
            "Introduce structured interviews",
            "Run the engagement survey",
        ],
    },
    Department {
        name: "Supply Chain",
        slug: "sc",
        weight: 6,
        functions: &["Sourcing", "Demand Planning", "Supplier Quality"],
        metrics: &[
            ("Supplier on-time rate", "%", H, Lead, 88.0, 1),
            ("Stock-out rate", "%", L, Lag, 3.1, 2),
            ("Forecast bias", "%", L, Lead, 6.0, 1),
            ("Landed cost per unit", "EUR", L, Lag, 4.2, 2),
        ],
        activities: &["Qualify a second supplier for every top-20 part", "Introduce weekly S&OP meetings"],
    },
    Department {
        name: "Data",
        slug: "data",
        weight: 3,
        functions: &["Data Platform", "Analytics", "Data Science"],
        metrics: &[
            ("Dashboard adoption", "%", H, Lead, 44.0, 1),
            ("Data freshness SLA met", "%", H, Lead, 95.0, 1),
            ("Churn model precision", "%", H, Lag, 82.0, 1),
        ],
        activities: &["Migrate reporting to the new warehouse", "Publish a metrics catalogue"],
    },
    Department {
        name: "Security",
        slug: "sec",
        weight: 2,
        functions: &["Security Operations", "Governance, Risk & Compliance"],
        metrics: &[
            ("Mean time to detect", "hours", L, Lead, 9.0, 1),
            ("Critical vulnerabilities open", "count", L, Lead, 14.0, 0),
            ("Phishing test click rate", "%", L, Lead, 4.5, 1),
        ],
        activities: &["Complete the SOC 2 Type II audit", "Roll out hardware security keys"],
    },
    Department {
        name: "Legal",
        slug: "legal",
        weight: 2,
        functions: &["Commercial Legal", "Privacy"],
        metrics: &[
            ("Contract turnaround time", "days", L, Lead, 6.0, 1),
            ("Privacy requests closed on time", "%", H, Lag, 97.0, 1),
        ],
        activities: &["Introduce self-serve NDAs", "Update the data processing agreements"],
    },
];

const REGIONS: &[&str] = &[
    "EMEA",
    "North America",
    "LATAM",
    "APAC",
    "DACH",
    "Nordics",
    "UK & Ireland",
    "France",
    "Iberia",
    "Benelux",
    "ANZ",
    "Japan",
    "India",
    "Italy",
    "Poland",
    "Brazil",
    "Zürich",
    "São Paulo",
    "Île-de-France",
    "Malmö",
];

const SEGMENTS: &[&str] =
    &["SMB", "Mid-Market", "Enterprise", "Self-serve", "Marketplace", "Wholesale", "Consumer", "Partner channel"];

const FIRST_NAMES: &[&str] = &[
    "Amara", "Ben", "Chen", "Dana", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kofi", "Lena", "Mateo",
    "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Yara", "Zoe",
];

const LAST_NAMES: &[&str] = &[
    "Adeyemi",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Umarov",
    "Varga",
    "Weber",
    "Yilmaz",
    "Zhang",
];

const STRATEGIES: &[&str] = &[
    "Become the default commerce platform for independent retailers in Europe",
    "Grow profitably: every region contribution-positive by 2027",
    "Be the easiest company to do business with",
    "Build a resilient, low-cost supply chain",
    "Make data the way we decide",
    "Be a great place to grow a career",
    "Win the mid-market in North America",
    "Earn trust through security and reliability",
];

const OBJECTIVE_VERBS: &[&str] =
    &["Delight", "Win", "Grow", "Scale", "Simplify", "Accelerate", "Strengthen", "Modernise", "Fix", "Own"];

const OBJECTIVE_THINGS: &[&str] = &[
    "onboarding for new merchants",
    "the checkout experience",
    "our partner ecosystem",
    "repeat purchases",
    "enterprise renewals",
    "self-serve growth",
    "delivery promises",
    "the path to profitability",
    "how we hire and grow managers",
    "platform reliability",
    "customer support at peak season",
    "the marketplace launch",
];

const NOTES: &[&str] = &[
    "Pricing test lifted conversion by two points; rolling it out to the remaining regions next sprint.",
    "Blocked on data access for three weeks; escalated to Data Platform.",
    "Confidence down: two key hires slipped to January.",
    "Experiment showed no effect, so we are switching to the onboarding hypothesis.",
    "Back on track after fixing the attribution bug in the funnel report.",
    "Seasonal dip as expected; holding course.",
    "Partner launch moved up, expect a step change next month.",
    "Learned that enterprise deals need the security review up front, not at the end.",
    "Cohort analysis shows the improvement comes from returning customers only.",
    "Scope cut: dropped the API work to focus on the two largest accounts.",
];

const DESCRIPTIONS: &[&str] = &[
    "Reviewed in the monthly business review.",
    "Definition agreed with Finance in the last planning cycle; see the metrics catalogue.",
    "Computed nightly from the warehouse; excludes test accounts and internal orders.",
    "Owned jointly with the regional leads; the global figure is the weighted mean.",
];

struct Team {
    name: String,
    lead: String,
    dept: usize,
    /// How the team separates parts of a title: most type a hyphen, some an en dash.
    dash: &'static str,
}

#[derive(Clone, Copy)]
struct KrInfo {
    ix: usize,
    team: usize,
    metric: Option<usize>,
}

#[derive(Clone, Copy)]
struct KpiInfo {
    ix: usize,
    team: usize,
    depth: u8,
    leading: bool,
    /// Node index of its first parent.
    parent: Option<usize>,
}

struct Gen {
    rng: Rng,
    as_of: Date,
    nodes: Vec<Node>,
    teams: Vec<Team>,
    strategies: Vec<usize>,
    /// (node index, team) of every objective.
    objectives: Vec<(usize, usize)>,
    krs: Vec<KrInfo>,
    kpis: Vec<KpiInfo>,
    titles: HashSet<String>,
    /// KPI positions (in `kpis`) by the node index of their first parent.
    kpis_under: HashMap<usize, Vec<usize>>,
    /// Key results that copy a KPI: each gets its twin KPI first in the KPI phase.
    copy_krs: Vec<usize>,
}

/// Generates a valid document of exactly `n` nodes (n >= 100).
pub fn generate(n: usize, seed: u64) -> TreeDoc {
    assert!(n >= 100, "the generator needs room for a real organisation");
    let mut g = Gen {
        rng: Rng::new(seed),
        as_of: as_of(),
        nodes: Vec::with_capacity(n),
        teams: Vec::new(),
        strategies: Vec::new(),
        objectives: Vec::new(),
        krs: Vec::new(),
        kpis: Vec::new(),
        titles: HashSet::new(),
        kpis_under: HashMap::new(),
        copy_krs: Vec::new(),
    };
    g.teams(n / 40);
    g.strategies(3 + n / 4000);
    let objective_count = n * 8 / 100;
    for k in 0..objective_count {
        g.objective(k);
    }
    let mut k = 0;
    while g.nodes.len() < n {
        g.kpi(k);
        k += 1;
    }
    let links = g.links();
    TreeDoc {
        schema: None,
        version: 1,
        organisation: "Northwind Commerce Group".into(),
        as_of: g.as_of,
        description: Some(format!(
            "Company KPI tree for the second half of 2026: {} teams, generated for benchmarks.",
            g.teams.len()
        )),
        nodes: g.nodes,
        links,
    }
}

impl Gen {
    fn teams(&mut self, count: usize) {
        let count = count.max(6);
        let total: usize = DEPARTMENTS.iter().map(|d| d.weight).sum();
        let mut names = HashSet::new();
        for t in 0..count {
            // Round-robin by weight so every department is present even in small trees.
            let mut slot = (t * 7919) % total;
            let dept = DEPARTMENTS
                .iter()
                .position(|d| {
                    if slot < d.weight {
                        true
                    } else {
                        slot -= d.weight;
                        false
                    }
                })
                .unwrap_or(0);
            let d = &DEPARTMENTS[dept];
            let base = format!("{} {}", self.rng.pick(d.functions), self.rng.pick(REGIONS));
            let mut name = base.clone();
            let mut k = 2;
            while !names.insert(name.clone()) {
                name = format!("{base} {k}");
                k += 1;
            }
            let lead = format!("{} {}", self.rng.pick(FIRST_NAMES), self.rng.pick(LAST_NAMES));
            let dash = if self.rng.chance(0.15) { "–" } else { "-" };
            self.teams.push(Team { name, lead, dept, dash });
        }
    }

    fn strategies(&mut self, count: usize) {
        for k in 0..count {
            let base = STRATEGIES[k % STRATEGIES.len()];
            let title = if k < STRATEGIES.len() {
                base.to_owned()
            } else {
                format!("{base} ({})", REGIONS[(k / STRATEGIES.len()) % REGIONS.len()])
            };
            let mut node = Node::new(format!("strategy-{}", k + 1), NodeKind::Strategy, title);
            node.owner = Some(if k % 2 == 0 { "Executive Team".into() } else { "Chief Executive Officer".into() });
            node.rationale = Some("Agreed in the 2026 strategy offsite; revisited every January.".into());
            node.description = Some(format!("Strategic pillar {} of the 2026-2028 plan.", k + 1));
            self.strategies.push(self.nodes.len());
            self.nodes.push(node);
        }
    }

    /// A team, mostly uniform; 15% of objectives land on the busiest 5% of teams.
    fn objective_team(&mut self) -> usize {
        if self.rng.chance(0.15) {
            self.rng.below((self.teams.len() / 20).max(1))
        } else {
            self.rng.below(self.teams.len())
        }
    }

    fn objective(&mut self, k: usize) {
        let team = self.objective_team();
        let dept = &DEPARTMENTS[self.teams[team].dept];
        let period = if self.rng.chance(0.7) { "2026-Q4" } else { "2026-Q3" };
        let r = self.rng.unit();
        let status = if period == "2026-Q3" && r < 0.4 {
            Status::Retired
        } else if r < 0.05 {
            Status::Draft
        } else if r < 0.07 {
            Status::Retired
        } else {
            Status::Active
        };
        let title = format!(
            "{} {} in {}",
            self.rng.pick(OBJECTIVE_VERBS),
            self.rng.pick(OBJECTIVE_THINGS),
            self.rng.pick(REGIONS)
        );
        let id = format!("obj-{}-{:05}", dept.slug, k + 1);
        let mut node = Node::new(id.clone(), NodeKind::Objective, title);
        node.period = Some(period.into());
        node.status = status;
        node.department = Some(dept.name.into());
        let o = self.rng.unit();
        node.owner = if o < 0.02 {
            None
        } else if o < 0.3 {
            Some(self.teams[team].lead.clone())
        } else {
            Some(self.teams[team].name.clone())
        };
        // Some objectives roll up into an earlier objective (a department objective under a company one).
        let nested = self.objectives.len() > 4 && self.rng.chance(0.25);
        node.parents = vec![if nested {
            self.objectives[self.rng.below(self.objectives.len())].0
        } else {
            *self.rng.pick(&self.strategies)
        }]
        .into_iter()
        .map(|p| self.nodes[p].id.clone())
        .collect();
        if self.rng.chance(0.6) {
            node.rationale =
                Some(format!("{} is where {} can move the company most this quarter.", node.title, dept.name));
        }
        if self.rng.chance(0.25) {
            node.description = Some(self.rng.pick(DESCRIPTIONS).to_string());
        }
        node.used_in_appraisal = self.rng.chance(0.03);
        let oix = self.nodes.len();
        self.objectives.push((oix, team));
        self.nodes.push(node);

        let r = self.rng.unit();
        let kr_count = if r < 0.04 {
            0
        } else if r < 0.59 {
            3
        } else if r < 0.86 {
            4
        } else if r < 0.96 {
            5
        } else {
            self.rng.int(6, 7)
        };
        for j in 0..kr_count {
            self.key_result(oix, &id, j + 1, team, status, period);
        }
    }

    fn key_result(&mut self, oix: usize, oid: &str, j: usize, team: usize, status: Status, period: &str) {
        let d = self.teams[team].dept;
        let dept = &DEPARTMENTS[d];
        let activity = self.rng.chance(0.05);
        let copy = !activity && self.rng.chance(0.04);
        let mut node = Node::new(format!("{oid}-kr{j}"), NodeKind::KeyResult, "");
        node.parents = vec![self.nodes[oix].id.clone()];
        node.status = if status == Status::Active && self.rng.chance(0.03) { Status::Draft } else { status };
        let o = self.rng.unit();
        node.owner = if o < 0.03 {
            None
        } else if o < 0.65 {
            self.nodes[oix].owner.clone()
        } else {
            Some(self.teams[self.rng.below(self.teams.len())].name.clone())
        };
        node.department = Some(dept.name.into());
        node.used_in_appraisal = self.rng.chance(0.02);
        if self.rng.chance(0.1) {
            node.cadence_days = Some(*self.rng.pick(&[7, 30]));
        }
        let elapsed = if period == "2026-Q4" { 58.0 / 92.0 } else { 1.0 };
        let period_end = if period == "2026-Q4" { self.as_of } else { Date::from_ymd(2026, 9, 30).expect("date") };
        let metric_ix = self.rng.below(dept.metrics.len());
        let (mname, unit, dir, _, base, dec) = dept.metrics[metric_ix];
        let (start, target, current) = if activity {
            node.title = self.rng.pick(dept.activities).to_string();
            (0.0, 100.0, round(self.rng.range(10.0, 100.0), 0))
        } else if copy {
            // Keeps today's level of the KPI it mirrors.
            let v = round(base * self.rng.range(0.9, 1.1), dec);
            node.title = format!("{mname} {} {}", self.teams[team].dash, self.rng.pick(SEGMENTS));
            node.unit = Some(unit.into());
            node.start = Some(v);
            node.target = Some(v);
            node.current = Some(v);
            (v, v, v)
        } else {
            let start = round(base * self.rng.range(0.85, 1.1), dec);
            let gain = self.rng.range(0.1, 0.4);
            let target = round(if dir == H { start * (1.0 + gain) } else { start * (1.0 - gain) }, dec);
            let progress = (elapsed * self.rng.range(0.1, 1.4)).min(1.15);
            let current = round(start + (target - start) * progress, dec);
            let verb = if dir == H { "Increase" } else { "Reduce" };
            node.title = format!("{verb} {} from {start} to {target} {unit}", mname.to_lowercase());
            node.unit = Some(unit.into());
            node.start = Some(start);
            node.target = Some(target);
            node.current = Some(current);
            (start, target, current)
        };
        node.confidence = Some(round(self.rng.range(0.2, 0.95), 2));
        // Check-ins: weekly or fortnightly, the last one recent for most, weeks ago for some.
        let count = self.rng.int(3, 8);
        let cadence = if count > 4 { 7 } else { 14 };
        let gap = if self.rng.chance(0.8) { self.rng.int(0, 12) } else { self.rng.int(16, 45) } as i32;
        let last = period_end.add_days(-gap);
        let learning = !self.rng.chance(0.15);
        for c in 0..count {
            let back = (count - 1 - c) as i32;
            let f = (c + 1) as f64 / count as f64;
            let value = round(start + (current - start) * f + (target - start) * self.rng.range(-0.03, 0.03), dec);
            let value = if copy || activity { round(current * f.max(0.9), dec) } else { value };
            node.check_ins.push(CheckIn {
                date: last.add_days(-back * cadence),
                value,
                confidence: (learning && self.rng.chance(0.7)).then(|| round(self.rng.range(0.3, 0.9), 1)),
                note: (learning && self.rng.chance(0.35)).then(|| self.rng.pick(NOTES).to_string()),
            });
        }
        let ix = self.nodes.len();
        self.krs.push(KrInfo { ix, team, metric: (!activity).then_some(metric_ix) });
        if copy {
            self.copy_krs.push(self.krs.len() - 1);
        }
        self.nodes.push(node);
    }

    /// A key result, mostly uniform; 8% of picks go to 1.5% of key results (the overloaded ones).
    fn pick_kr(&mut self) -> KrInfo {
        let n = self.krs.len();
        let pick = |g: &mut Gen| {
            if g.rng.chance(0.08) { g.krs[g.rng.below((n / 70).max(1))] } else { g.krs[g.rng.below(n)] }
        };
        let kr = pick(self);
        // Most new KPIs go where the current work is: look again if the first pick is not active.
        if self.nodes[kr.ix].status != Status::Active && self.rng.chance(0.75) { pick(self) } else { kr }
    }

    fn pick_objective(&mut self) -> (usize, usize) {
        let n = self.objectives.len();
        let pick = |g: &mut Gen| {
            if g.rng.chance(0.08) { g.objectives[g.rng.below((n / 70).max(1))] } else { g.objectives[g.rng.below(n)] }
        };
        let o = pick(self);
        if self.nodes[o.0].status != Status::Active && self.rng.chance(0.75) { pick(self) } else { o }
    }

    fn unique_title(&mut self, metric: &str, team: usize) -> String {
        for _ in 0..4 {
            let dash = self.teams[team].dash;
            let t = format!("{metric} {dash} {} {dash} {}", self.rng.pick(SEGMENTS), self.teams[team].name);
            if self.titles.insert(t.clone()) {
                return t;
            }
        }
        let t = format!("{metric} {} {} (#{})", self.teams[team].dash, self.teams[team].name, self.titles.len());
        self.titles.insert(t.clone());
        t
    }

    fn series(&mut self, level: f64, unit: &str, dec: u32) -> Vec<Measurement> {
        const SEASON: [f64; 12] = [0.0, 0.3, 0.5, 0.3, 0.0, -0.3, -0.5, -0.3, 0.0, 0.3, 0.5, 0.3];
        let drift = self.rng.range(-0.02, 0.03);
        let noise = self.rng.range(0.005, 0.05);
        let season = self.rng.range(0.0, 0.04);
        (0..12)
            .map(|m| {
                let (y, mo) = if m == 0 { (2025, 12) } else { (2026, m as u32) };
                let rel = 1.0 + drift * m as f64 + noise * self.rng.range(-1.0, 1.0) + season * SEASON[m];
                let mut v = round(level * rel, dec);
                if unit == "%" {
                    v = v.clamp(0.0, 100.0);
                }
                Measurement { date: Date::from_ymd(y, mo, 1).expect("date"), value: v }
            })
            .collect()
    }

    fn kpi(&mut self, k: usize) {
        if let Some(kr) = self.copy_krs.pop() {
            return self.copy_kpi(k, self.krs[kr]);
        }
        if self.kpis.len() > 20 && self.rng.chance(0.02) {
            return self.duplicate_kpi(k);
        }
        // Where it sits: under a key result, an objective, another KPI, or nowhere (an orphan).
        let r = self.rng.unit();
        let mut parents = Vec::new();
        let mut depth = 0u8;
        let mut kr_metric = None;
        let mut team = self.rng.below(self.teams.len());
        let mut parent_team = None;
        if r < 0.025 {
        } else if r < 0.545 || (r >= 0.725 && self.kpis.is_empty()) {
            let kr = self.pick_kr();
            parents.push(kr.ix);
            kr_metric = kr.metric;
            parent_team = Some(kr.team);
        } else if r < 0.725 {
            let (o, t) = self.pick_objective();
            parents.push(o);
            parent_team = Some(t);
        } else {
            let mut p = self.kpis[self.rng.below(self.kpis.len())];
            for _ in 0..3 {
                if p.depth < 3 {
                    break;
                }
                p = self.kpis[self.rng.below(self.kpis.len())];
            }
            parents.push(p.ix);
            depth = p.depth + 1;
            parent_team = Some(p.team);
        }
        if let Some(t) = parent_team
            && self.rng.chance(0.72)
        {
            team = t;
        }
        // Some KPIs are shared by a second key result or objective.
        if !parents.is_empty() && self.rng.chance(0.06) {
            let second = if self.rng.chance(0.7) { self.pick_kr().ix } else { self.pick_objective().0 };
            if second != parents[0] {
                parents.push(second);
            }
        }
        let dept = &DEPARTMENTS[self.teams[team].dept];
        let metric = match kr_metric {
            Some(m) if self.rng.chance(0.35) && self.teams[team].dept == self.teams[parent_team.unwrap_or(0)].dept => {
                dept.metrics[m.min(dept.metrics.len() - 1)]
            }
            _ => *self.rng.pick(dept.metrics),
        };
        let (mname, unit, dir, mut ind, base, dec) = metric;
        if self.rng.chance(0.1) {
            ind = if ind == Lead { Lag } else { Lead };
        }
        let title = self.unique_title(mname, team);
        let level = base * self.rng.range(0.6, 1.6);
        let mut node = Node::new(format!("kpi-{}-{:06}", dept.slug, k + 1), NodeKind::Kpi, title);
        node.parents = parents.iter().map(|&p| self.nodes[p].id.clone()).collect();
        self.fill_kpi(&mut node, team, (mname, unit, dir, ind, level, dec));
        self.push_kpi(node, team, depth, ind == Lead, parents.first().copied());
    }

    fn fill_kpi(&mut self, node: &mut Node, team: usize, metric: Metric) {
        let (mname, unit, dir, ind, level, dec) = metric;
        let dept = &DEPARTMENTS[self.teams[team].dept];
        node.unit = Some(unit.into());
        node.direction = (!self.rng.chance(0.02)).then_some(dir);
        node.indicator = (!self.rng.chance(0.03)).then_some(ind);
        node.department = Some(dept.name.into());
        let o = self.rng.unit();
        node.owner = if o < 0.04 {
            None
        } else if o < 0.05 {
            Some(" ".into())
        } else if o < 0.2 {
            Some(self.teams[team].lead.clone())
        } else {
            Some(self.teams[team].name.clone())
        };
        let r = self.rng.unit();
        node.status = if r < 0.03 {
            Status::Draft
        } else if r < 0.09 {
            Status::Retired
        } else {
            Status::Active
        };
        let gain = self.rng.range(0.02, 0.25);
        let mut target = round(if dir == H { level * (1.0 + gain) } else { level * (1.0 - gain) }, dec);
        if unit == "%" {
            target = target.min(100.0);
        }
        node.target = Some(target);
        if node.direction.is_some() && self.rng.chance(0.35) {
            let (a, b) = if dir == H { (0.95, 0.85) } else { (1.05, 1.15) };
            node.thresholds = Some(Thresholds { at_risk: round(target * a, dec), off_track: round(target * b, dec) });
        }
        node.measurements = self.series(level, unit, dec);
        let r = self.rng.unit();
        node.last_reviewed = if r < 0.74 {
            Some(self.as_of.add_days(-(self.rng.int(5, 360) as i32)))
        } else if r < 0.93 {
            Some(self.as_of.add_days(-(self.rng.int(380, 1100) as i32)))
        } else {
            None
        };
        if self.rng.chance(0.68) {
            let team_name = &self.teams[team].name;
            let lower = mname.to_lowercase();
            node.rationale = Some(match self.rng.below(4) {
                0 => {
                    format!("Leading signal for the quarter: when {lower} moves, revenue follows about a month later.")
                }
                1 => format!("{team_name} steers on {lower}; customers leave when it slips."),
                2 => format!("Tells us whether the {} process is under control.", dept.name.to_lowercase()),
                _ => format!("Agreed with {team_name} as the one number that shows progress on this key result."),
            });
        }
        if self.rng.chance(0.25) {
            node.description = Some(self.rng.pick(DESCRIPTIONS).to_string());
        }
        node.used_in_appraisal = self.rng.chance(0.03);
    }

    fn push_kpi(&mut self, node: Node, team: usize, depth: u8, leading: bool, parent: Option<usize>) {
        let ix = self.nodes.len();
        if let Some(p) = parent {
            self.kpis_under.entry(p).or_default().push(self.kpis.len());
        }
        self.kpis.push(KpiInfo { ix, team, depth, leading, parent });
        self.nodes.push(node);
    }

    /// The KPI a copying key result mirrors: same title, unit, and the level the key result keeps.
    fn copy_kpi(&mut self, k: usize, kr: KrInfo) {
        let krn = &self.nodes[kr.ix];
        let (title, v) = (krn.title.clone(), krn.target.unwrap_or(1.0));
        let dept = &DEPARTMENTS[self.teams[kr.team].dept];
        let (mname, unit, dir, ind, _, dec) = dept.metrics[kr.metric.unwrap_or(0)];
        let mut node = Node::new(format!("kpi-{}-{:06}", dept.slug, k + 1), NodeKind::Kpi, title.clone());
        node.parents = vec![krn.id.clone()];
        self.titles.insert(title);
        self.fill_kpi(&mut node, kr.team, (mname, unit, dir, ind, v, dec));
        node.target = Some(v);
        node.thresholds = None;
        node.status = Status::Active;
        let flat = self.series(v, node.unit.as_deref().unwrap_or(""), dec);
        node.measurements =
            flat.into_iter().map(|m| Measurement { value: round(v + (m.value - v) * 0.1, dec), ..m }).collect();
        self.push_kpi(node, kr.team, 1, ind == Lead, Some(kr.ix));
    }

    /// The same metric as an earlier KPI, kept somewhere else in the tree by another team.
    fn duplicate_kpi(&mut self, k: usize) {
        let orig = self.kpis[self.rng.below(self.kpis.len())];
        let on = &self.nodes[orig.ix];
        let mut node = on.clone();
        let first = on.parents.first().cloned();
        let mut kr = self.pick_kr();
        if first.as_deref() == Some(self.nodes[kr.ix].id.as_str()) {
            kr = self.krs[(self.krs.iter().position(|x| x.ix == kr.ix).unwrap_or(0) + 1) % self.krs.len()];
        }
        let team = self.rng.below(self.teams.len());
        let dept = &DEPARTMENTS[self.teams[team].dept];
        node.id = format!("kpi-{}-{:06}", dept.slug, k + 1);
        node.parents = vec![self.nodes[kr.ix].id.clone()];
        node.owner = Some(self.teams[team].name.clone());
        node.department = Some(dept.name.into());
        node.rationale = None;
        for m in &mut node.measurements {
            m.value = round(m.value * self.rng.range(0.995, 1.005), 2);
        }
        node.last_reviewed = Some(self.as_of.add_days(-(self.rng.int(20, 500) as i32)));
        let leading = node.indicator == Some(Lead);
        self.push_kpi(node, team, 1, leading, Some(kr.ix));
    }

    /// `drives` links from leading KPIs to lagging ones near them; half are supported by the data.
    fn links(&mut self) -> Vec<Link> {
        let want = self.kpis.len() * 5 / 100;
        let leading: Vec<usize> = (0..self.kpis.len()).filter(|&i| self.kpis[i].leading).collect();
        let lagging: Vec<usize> = (0..self.kpis.len()).filter(|&i| !self.kpis[i].leading).collect();
        let mut seen = HashSet::new();
        let mut links = Vec::with_capacity(want);
        let mut attempts = 0;
        while links.len() < want && attempts < want * 4 && !leading.is_empty() && !lagging.is_empty() {
            attempts += 1;
            let d = self.kpis[*self.rng.pick(&leading)];
            // The outcome: the KPI it feeds, a lagging sibling, or any lagging KPI.
            let outcome = match d.parent {
                Some(p) if self.nodes[p].kind == NodeKind::Kpi => p,
                Some(p) => {
                    let sibs: Vec<usize> = self
                        .kpis_under
                        .get(&p)
                        .map(|v| v.iter().map(|&s| self.kpis[s]).filter(|s| !s.leading).map(|s| s.ix).collect())
                        .unwrap_or_default();
                    if sibs.is_empty() { self.kpis[*self.rng.pick(&lagging)].ix } else { *self.rng.pick(&sibs) }
                }
                None => self.kpis[*self.rng.pick(&lagging)].ix,
            };
            if outcome == d.ix || !seen.insert((d.ix, outcome)) {
                continue;
            }
            let lag = *self.rng.pick(&[30u32, 30, 60, 90, 14, 0]);
            if self.rng.chance(0.5) {
                // Make the outcome really follow the driver, `lag` later.
                let months = ((lag + 15) / 30) as usize;
                let driver = self.nodes[d.ix].measurements.clone();
                let dmean = driver.iter().map(|m| m.value).sum::<f64>() / driver.len().max(1) as f64;
                let out = &mut self.nodes[outcome].measurements;
                let omean = out.iter().map(|m| m.value).sum::<f64>() / out.len().max(1) as f64;
                for k in months..out.len().min(driver.len() + months) {
                    let rel = if dmean != 0.0 { driver[k - months].value / dmean - 1.0 } else { 0.0 };
                    let wiggle = 0.002 * self.rng.range(-1.0, 1.0);
                    out[k].value = round(omean * (1.0 + 0.8 * rel + wiggle), 2);
                }
            }
            links.push(Link {
                from: self.nodes[d.ix].id.clone(),
                to: self.nodes[outcome].id.clone(),
                kind: LinkKind::Drives,
                lag_days: (lag > 0 || self.rng.chance(0.5)).then_some(lag),
                note: self.rng.chance(0.3).then(|| "Hypothesis from the 2026 planning offsite.".to_owned()),
            });
        }
        links
    }
}
