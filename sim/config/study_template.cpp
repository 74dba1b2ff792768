// The annotated template study printed by `mistakesim init`. A test checks that it validates.

#include <mistakesim/study.hpp>

namespace mistakesim {

std::string study_template() {
  return R"toml(# mistakesim study: what do our sales mistakes cost us in a year?
# Reference: docs/study-file.md. Check with `mistakesim validate THIS_FILE`.
#
# Any number below can be a constant (0.3) or a distribution written as a table, e.g.
#   { dist = "pert", min = 0.2, mode = 0.3, max = 0.45 }        three-point estimate
#   { dist = "lognormal", p05 = 15_000, p95 = 250_000 }           90% of values in this range
#   { dist = "beta", wins = 12, losses = 30 }                     a rate from a record
# Other distributions: uniform, triangular, normal, gamma, poisson, negbinomial, discrete,
# empirical (values = [...] or file = "crm-export.csv", column = "amount").

[study]
name = "My sales team"
trials = 100_000          # simulated years
seed = 1                  # same seed, same numbers
currency = "USD"
value = "revenue"         # or "margin": a deal is worth deal_size x margin

[team]
reps = 10
hourly_cost = 120         # [USD/hour] loaded cost of a seller's hour

[pipeline]
opportunities_per_rep = { dist = "poisson", mean = 40 }   # per rep per year (or `opportunities` for the team)
good_fit   = { dist = "pert", min = 0.25, mode = 0.35, max = 0.5 }  # share of prospects who would buy if done right
close_rate = { dist = "pert", min = 0.45, mode = 0.6, max = 0.75 }  # share of good fits that close when done right
deal_size  = { dist = "lognormal", p05 = 15_000, p95 = 250_000 }  # [USD] per deal
margin = 0.35             # fraction of revenue (used when value = "margin")
qualify_hours = { dist = "triangular", min = 1, mode = 2, max = 6 }  # [hours] spent on a poor fit
pilot_rate = 0.3          # share of opportunities that run a pilot
repeat_customer = 0.25    # share of opportunities with an existing customer
customer_value = { dist = "lognormal", median = 80_000, p90 = 300_000 }  # [USD] a repeat customer's future value

[process]
stages = ["qualify", "discover", "pilot", "propose", "close"]

# One [[mistake]] per typical mistake. Its rates are drawn once per simulated year.
[[mistake]]
id = "pilot-no-criteria"
name = "Pilot run without agreed success criteria"
stage = "pilot"
applies_to = "pilot"      # all | good_fit | poor_fit | pilot | repeat
probability = { dist = "pert", min = 0.1, mode = 0.25, max = 0.5 }  # chance it happens
noticed = 0.9             # chance we notice it (known) rather than not (unknown)
lose = 0.6                # chance it loses a deal that would have closed
churn = 0.3               # chance a repeat customer walks away
wasted_hours = 4          # [hours] per occurrence
recovery = { hours = { dist = "lognormal", median = 30, p90 = 80 }, hourly_cost = 500, saved = { dist = "beta", mean = 0.5, sd = 0.15 } }

[[mistake]]
id = "no-discovery"
name = "Proposal sent without discovery"
stage = "propose"
applies_to = "good_fit"
probability = { dist = "beta", wins = 8, losses = 32 }
noticed = 0.2
lose = 0.3
discount = { dist = "uniform", min = 0.05, max = 0.15 }  # fraction given away when the deal still closes

# A training programme and what it changes. Effects: scale, set or add on a year-level input.
[[intervention]]
id = "pilot-training"
name = "Pilot set-up training"
cost = 20_000             # [USD] one-off
cost_per_rep = 1_500      # [USD] per rep
hours_per_rep = 16        # [hours] of selling time per rep
effect = [ { param = "mistake.pilot-no-criteria.probability", scale = { dist = "pert", min = 0.3, mode = 0.5, max = 0.8 } } ]

# Inputs that move together (Spearman rank correlation).
[[correlation]]
a = "pipeline.good_fit"
b = "pipeline.close_rate"
rank = 0.5
)toml";
}

}  // namespace mistakesim
