"""The mixed-integer model's frame: variables, rows with what they are about, and the objective (design.md section 3).

Indices: r, s regions; i industries; g inter-provincial groups. Variables (capacity in the scenario's
capacity unit):
  x_r_i >= 0  capacity of industry i in region r
  y_r_i  binary, r hosts a provincial cluster of i
  h_r_i  binary, r hosts a characteristic cluster of i
  z_g_i  binary, group g forms an inter-provincial cluster of i
  s_i >= 0 overcapacity, e_i >= 0 shortfall, v_r >= 0 clusters r lacks below its minimum
  u_r_s_i >= 0 weighted uncoordinated duplication of i by neighbours r, s: 1 between two full clusters
  (provincial or inter-provincial), kappa when a characteristic cluster is involved (add_homogeneity).
  `w` is the same variable as `u`: one column per pair (code that sums (1 - kappa) u + kappa w gets u).
Shorthands: d_r_i = y_r_i + h_r_i + sum_{g∋r} z_g_i (r takes part in a cluster of i; at most 1),
F_r_i = y_r_i + sum_{g∋r} z_g_i (a full cluster), C_r_s_i = sum_{g∋r,s} z_g_i (coordinated in a group).

The constraint families, each a record with its builder and its words, are in `layout.model.families`, which
also holds `build_model` (variables, then each family in order, then the objective), so the model reads as a
table of contents. Every row is an `LpConstraint` over an `LpAffineExpression` built from (variable, coefficient)
pairs. Codes are identity, never text for the LP layer: columns and rows are named by position (``c12``, ``r7``),
which no solver interface rewrites, and each row carries a `RowInfo` (its family and the codes it is about) from
the moment it is made, so two codes that differ only in characters PuLP rewrites (``R-1`` and ``R_1``) never meet
in one variable or row, and no module parses a name back. The readable names (``focus_110000``,
``x_110000_NGIT``) are kept for LP export and messages (`LayoutModel.label`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulp

from layout.model.instance import Instance

LE, GE = pulp.LpConstraintLE, pulp.LpConstraintGE
# capacity units: a region holds an industry only above this (the solver's tolerance); below, it hosts nothing, and
# results, metrics and explanations count it so even where the model designates it (a group member holding nothing)
HELD = 1e-6
# share of a target: a shortfall of at most this share is met (the solver's tolerance summed over many regions, and
# rows holding less than HELD left out, are not a finding); results and the exit code judge targets by `target_met`
MET_SHARE = 1e-6
Terms = list[tuple[pulp.LpVariable, float]]


def target_met(shortfall: float, target: float) -> bool:
    """Whether a shortfall (capacity units) leaves a target met: at most MET_SHARE of it (of 1 for a target below 1)."""
    return shortfall <= MET_SHARE * max(target, 1.0)


@dataclass(frozen=True)
class RowInfo:
    """What a row is about: its family and the codes it names (None where the family has no such index)."""

    family: str
    region: str | None = None
    industry: str | None = None
    group: str | None = None
    other: str | None = None  # the second region of a homogeneity row
    part: str | None = None  # a member's part of a group (scale_member, finer levels)
    parent: str | None = None  # a parent region (parent_budget, portfolio, portfolio_any, parent_focus, parent_balance)

    @property
    def label(self) -> str:
        """The readable name: family then codes, e.g. 'focus_110000', 'homogeneity_A_B_NGIT' (not unique when
        codes hold '_': identity is the RowInfo itself)."""
        codes = (self.region, self.other, self.group, self.part, self.parent, self.industry)
        return "_".join([self.family, *(c for c in codes if c is not None)])


@dataclass
class LayoutModel:
    """The PuLP problem with its variables by index, in a fixed column order."""

    inst: Instance
    prob: pulp.LpProblem
    x: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)
    y: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)
    h: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)
    z: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)
    s: dict[str, pulp.LpVariable] = field(default_factory=dict)
    e: dict[str, pulp.LpVariable] = field(default_factory=dict)
    v: dict[str, pulp.LpVariable] = field(default_factory=dict)
    u: dict[tuple[str, str, str], pulp.LpVariable] = field(default_factory=dict)
    w: dict[tuple[str, str, str], pulp.LpVariable] = field(default_factory=dict)
    portfolio: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)  # P_p_i (add_parent_limits)
    vp: dict[str, pulp.LpVariable] = field(default_factory=dict)  # industries parent p lacks below L_p
    # capacity moved above / below the reference's (capacity units; add_reference, where `reference.moved` > 0)
    moved_up: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)
    moved_down: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)
    columns: list[pulp.LpVariable] = field(default_factory=list)
    rows: dict[str, pulp.LpConstraint] = field(default_factory=dict)  # by positional name r0, r1, ...
    info: dict[str, RowInfo] = field(default_factory=dict)  # each row's family and codes, by its name
    names: dict[str, str] = field(default_factory=dict)  # readable name of each column, by its positional name
    _row_of: dict[RowInfo, str] = field(default_factory=dict, repr=False)
    _designations: dict[tuple[str, str, bool], Terms] = field(default_factory=dict, repr=False)

    def var(self, name: str, cat: str = pulp.LpContinuous, up: float | None = None) -> pulp.LpVariable:
        """A new variable >= 0, recorded in column order, named by position (`name` is kept as its label)."""
        v = self.prob.add_variable(f"c{len(self.columns)}", 0, 1 if cat == pulp.LpBinary else up, cat=cat)
        self.columns.append(v)
        self.names[v.name] = name
        return v

    def row(self, info: RowInfo, terms: Terms, sense: int, rhs: float) -> str:
        """Add the row sum(coef * var) (sense) rhs about `info`; return its positional name. A variable named
        twice gets the sum of its coefficients."""
        if info in self._row_of:
            raise ValueError(f"two rows about {info}")  # a builder's mistake, never a user's
        expr = pulp.LpAffineExpression(terms)
        if len(expr) != len(terms):  # a dict keeps only the last coefficient of a repeated variable: add them up
            summed: dict[pulp.LpVariable, float] = {}
            for v, c in terms:
                summed[v] = summed.get(v, 0.0) + c
            expr = pulp.LpAffineExpression([(v, c) for v, c in summed.items() if c != 0])
        row = pulp.LpConstraint(expr, sense, f"r{len(self.rows)}", rhs)
        self.rows[row.name] = row  # keyed by PuLP's own copy of the name (one string per row, not two)
        self.info[row.name] = info
        self._row_of[info] = row.name
        return row.name

    def row_of(self, family: str, **codes: str) -> str | None:
        """The name of the row of `family` about `codes` (e.g. row_of("focus", region=r)); None if not built."""
        return self._row_of.get(RowInfo(family, **codes))

    def label(self, name: str) -> str:
        """The readable name of a row or column (for LP export and messages)."""
        info = self.info.get(name)
        return info.label if info is not None else self.names.get(name, name)

    def designation(self, r: str, i: str, full_only: bool = False) -> Terms:
        """d_r_i (or F_r_i with full_only): terms for r taking part in a cluster of i (built once, copied out)."""
        key = (r, i, full_only)
        terms = self._designations.get(key)
        if terms is None:
            terms = [(self.y[r, i], 1.0)] + [(self.z[g, i], 1.0) for g in self.inst.groups_of(r)]
            if not full_only:
                terms.append((self.h[r, i], 1.0))
            self._designations[key] = terms
        return list(terms)

    def finish(self) -> None:
        """Hand every row to the PuLP problem and drop the building aids (county level: ~45,000 designation lists)."""
        self.prob.extend(self.rows)
        self._designations.clear()


def add_variables(m: LayoutModel) -> None:
    """Create every variable, in a fixed order (regions, industries and groups as the instance lists them)."""
    inst = m.inst
    for i in inst.industries:
        m.s[i] = m.var(f"s_{i}")
        m.e[i] = m.var(f"e_{i}")
        for r in inst.regions:
            m.x[r, i] = m.var(f"x_{r}_{i}")
            m.y[r, i] = m.var(f"y_{r}_{i}", pulp.LpBinary)
            m.h[r, i] = m.var(f"h_{r}_{i}", pulp.LpBinary)
        for g in inst.groups:
            m.z[g, i] = m.var(f"z_{g}_{i}", pulp.LpBinary)
        for r, s in inst.neighbours:  # a fallback's characteristic cluster duplicates too (weight kappa)
            if inst.may_host(r, i) and inst.may_host(s, i):
                m.u[r, s, i] = m.w[r, s, i] = m.var(f"u_{r}_{s}_{i}")
    for r in inst.regions:
        m.v[r] = m.var(f"v_{r}")


def set_objective(m: LayoutModel) -> None:
    """min alpha sum u + beta sum s_i/D_i + gamma sum e_i/D_i + lambda (sum v_r + sum vp_p)
    - sigma sum score_r_i x_r_i / D_i  (u already weighs a characteristic duplication by kappa)."""
    wt, inst = m.inst.weights, m.inst
    terms: Terms = []
    for u in m.u.values():  # u = (1 - kappa) full + kappa any duplication (add_homogeneity; w is u)
        terms.append((u, wt["homogeneity"]))
    for i, p in inst.industries.items():
        terms += [(m.s[i], wt["overcapacity"] / p.target), (m.e[i], wt["shortfall"] / p.target)]
        for r in inst.regions:
            if inst.score[r, i] > 0 and wt["advantage"] > 0:
                terms.append((m.x[r, i], -wt["advantage"] * inst.score[r, i] / p.target))
    terms += [(m.v[r], wt["balance"]) for r in inst.regions]
    terms += [(v, wt["balance"]) for v in m.vp.values()]
    terms += reference_terms(m)
    m.prob.setObjective(pulp.LpAffineExpression([(v, c) for v, c in terms if c != 0]))


def reference_terms(m: LayoutModel) -> Terms:
    """Least-change re-planning (`Instance.reference`, R its designations, counted in the regions it states):
    rho_add sum_{(r,i) not in R} d_r_i - rho_rem sum_{(r,i) in R} d_r_i + rho_mov sum_ri (m+_r_i + m-_r_i) / D_i.
    The first two are the weighted changes rho_add added + rho_rem removed less the constant rho_rem |R| (a solver
    drops constants: the objective reported leaves it out; `objective_constant` gives it). Each variable once (a
    group's z is in its members' d)."""
    ref = m.inst.reference
    if ref is None:
        return []
    summed: dict[pulp.LpVariable, float] = {}
    for r, i in m.x:
        if not ref.counted(r):
            continue
        weight = -ref.removed if (r, i) in ref.designated else ref.added
        for v, c in m.designation(r, i):
            summed[v] = summed.get(v, 0.0) + weight * c
        if (r, i) in m.moved_up:
            target = m.inst.industries[i].target
            summed[m.moved_up[r, i]] = summed[m.moved_down[r, i]] = ref.moved / target
    return list(summed.items())


def objective_constant(inst: Instance) -> float:
    """The constant the model's objective leaves out (objective units): rho_rem |R| over the pairs `reference_terms`
    counts, 0 without a reference. The full objective is the solver's objective plus this."""
    ref = inst.reference
    if ref is None:
        return 0.0
    regions = set(inst.regions)
    pairs = sum(1 for r, i in ref.designated if ref.counted(r) and r in regions and i in inst.industries)
    return ref.removed * pairs
