"""Targets the layout does not meet, in words, and the rules that hold them back.

A shortfall is the model's last resort (the demand rows' slack e_i, penalised by objective.shortfall per unit as a
share of the target), so a layout can be "optimal" and still build less than a target. `targets_missed` names each
industry built below its target ("NGIT: 0 of 100 built") and says why: it solves the scenario again with those
targets required in full (each e_i held at 0) and runs the infeasibility diagnosis on that model
(`layout.analysis.diagnose`), which names the smallest set of rules that cannot hold together with the targets, with
their numbers. When the targets can be met, the layout built less because meeting them costs more than the
shortfall penalty; that is said instead, with the penalty.
"""

from __future__ import annotations

from layout.analysis.diagnose import diagnose_full
from layout.language import tr
from layout.model.core import LayoutModel, target_met
from layout.words import number


def missed_industries(model: LayoutModel) -> list[dict]:
    """Every industry built below its target in the solved model: code, name, built and target (capacity units),
    shortfall, and its sentence in `text`."""
    inst, out = model.inst, []
    for i, p in inst.industries.items():
        built = sum(model.x[r, i].varValue or 0.0 for r in inst.regions)
        short = p.target - built
        if target_met(short, p.target):  # as metrics.json's targets_met (`layout.results.metrics`)
            continue
        out.append(
            {
                "industry": i,
                "name": p.name,
                "built": round(built, 6),
                "target": p.target,
                "shortfall": round(short, 6),
                "text": tr(
                    "{code}: {built} of {target} built ({industry})",
                    code=i,
                    built=number(built),
                    target=number(p.target),
                    industry=p.name,
                ),
            }
        )
    return out


def targets_missed(
    model: LayoutModel, solver: str, *, time_limit: float | None = None, proved: bool = True
) -> dict | None:
    """None when every target is met; else the industries missed (`missed_industries`), the rules that hold them back
    in sentences (`held_back_by`) and how that was found (`found_by`: conflict; cost, when the targets can be met but
    the penalty is cheaper; limit, when they can be met and the solve stopped at a limit before finding such a
    layout; undecided, when the diagnosis ran out of time).

    `proved`: whether the layout is proved optimal (False: a limit or the gap stopped the solver). `time_limit`
    (seconds) bounds the diagnosis; a diagnosis it stops says so in its sentences."""
    missed = missed_industries(model)
    if not missed:
        return None
    codes = tuple(m["industry"] for m in missed)
    found = diagnose_full(model.inst, solver, time_limit=time_limit, meet=codes)
    if found.sentences and found.conflict:
        found_by, why = "conflict", found.sentences
    elif found.sentences:  # the time limit stopped it before a conflict was isolated
        found_by, why = "undecided", found.sentences
    elif not proved:
        found_by = "limit"
        why = [
            tr(
                "the targets can be met under the scenario's rules, but the solver stopped (time limit or gap) before "
                "it found a layout that meets them: allow more time (--time-limit) or a smaller --gap"
            )
        ]
    else:
        weight = model.inst.weights["shortfall"]
        found_by = "cost"
        why = [
            tr(
                "the targets can be met under the scenario's rules, but meeting them costs more than the shortfall "
                "penalty (objective.shortfall = {weight} per unit of shortfall as a share of the target): raise "
                "objective.shortfall to make the layout build them",
                weight=number(weight),
            )
        ]
    return {"industries": missed, "held_back_by": why, "found_by": found_by}
