"""The mixed-integer model, one function per constraint family (design.md section 3).

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

`build_model` calls the families in order, so the model reads as a table of contents. Every row is an
`LpConstraint` over an `LpAffineExpression` built from (variable, coefficient) pairs. Codes are identity,
never text for the LP layer: columns and rows are named by position (``c12``, ``r7``), which no solver
interface rewrites, and each row carries a `RowInfo` (its family and the codes it is about) from the moment it
is made, so two codes that differ only in characters PuLP rewrites (``R-1`` and ``R_1``) never meet in one
variable or row, and no module parses a name back. The readable names (``focus_110000``,
``x_110000_NGIT``) are kept for LP export and messages (`LayoutModel.label`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulp

from layout.instance import Instance

LE, GE = pulp.LpConstraintLE, pulp.LpConstraintGE
Terms = list[tuple[pulp.LpVariable, float]]


@dataclass(frozen=True)
class RowInfo:
    """What a row is about: its family and the codes it names (None where the family has no such index)."""

    family: str
    region: str | None = None
    industry: str | None = None
    group: str | None = None
    other: str | None = None  # the second region of a homogeneity row
    part: str | None = None  # a member's part of a group (scale_member, finer levels)
    parent: str | None = None  # a parent region (parent_budget, portfolio_any, parent_focus, parent_balance)

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
        for r, s in inst.neighbours:
            if inst.eligible[r, i] and inst.eligible[s, i]:
                m.u[r, s, i] = m.w[r, s, i] = m.var(f"u_{r}_{s}_{i}")
    for r in inst.regions:
        m.v[r] = m.var(f"v_{r}")


def add_eligibility(m: LayoutModel) -> None:
    """eligibility: y_r_i = h_r_i = 0 where r fails i's rule; z_g_i = 0 where any member of g fails it."""
    inst = m.inst
    for (r, i), ok in inst.eligible.items():
        if not ok:
            m.y[r, i].upBound = m.h[r, i].upBound = 0
    for g, i in m.z:
        if not inst.group_eligible(g, i):
            m.z[g, i].upBound = 0


def add_demand(m: LayoutModel) -> None:
    """demand: sum_r x_r_i + e_i >= D_i."""
    for i, p in m.inst.industries.items():
        m.row(RowInfo("demand", industry=i), [(m.x[r, i], 1.0) for r in m.inst.regions] + [(m.e[i], 1.0)], GE, p.target)


def add_overcapacity(m: LayoutModel) -> None:
    """overcapacity: sum_r x_r_i - s_i <= D_i; with a cap tau_i also sum_r x_r_i <= (1 + tau_i) D_i."""
    for i, p in m.inst.industries.items():
        m.row(RowInfo("overcapacity", industry=i), [(m.x[r, i], 1.0) for r in m.inst.regions] + [(m.s[i], -1.0)], LE, p.target)
        if p.overcapacity_cap is not None:
            m.row(RowInfo("overcapacity_cap", industry=i), [(m.x[r, i], 1.0) for r in m.inst.regions], LE, (1 + p.overcapacity_cap) * p.target)


def add_hosting(m: LayoutModel) -> None:
    """hosting: x_r_i <= c_i^max h_r_i + U_ri (y_r_i + sum_{g∋r} z_g_i) — capacity only inside a cluster."""
    for (r, i), x in m.x.items():
        p = m.inst.industries[i]
        terms = [(x, 1.0), (m.h[r, i], -p.char_max)] + [(v, -p.max_host) for v, _ in m.designation(r, i, full_only=True)]
        m.row(RowInfo("hosting", region=r, industry=i), terms, LE, 0.0)


def add_scale(m: LayoutModel) -> None:
    """scale: x_r_i >= m_i y_r_i + c_i^min h_r_i + mu_i sum_{g∋r} z_g_i;  sum_{r∈g} x_r_i >= M_i z_g_i."""
    inst = m.inst
    for (r, i), x in m.x.items():
        p = inst.industries[i]
        terms = [(x, 1.0), (m.y[r, i], -p.provincial_min), (m.h[r, i], -p.char_min)]
        terms += [(m.z[g, i], -p.group_min_member) for g in inst.groups_of(r) if g not in inst.group_parts]
        m.row(RowInfo("scale", region=r, industry=i), terms, GE, 0.0)
    for (g, i), z in m.z.items():
        terms = [(m.x[r, i], 1.0) for r in inst.groups[g].members] + [(z, -inst.industries[i].group_min_total)]
        m.row(RowInfo("scale_group", group=g, industry=i), terms, GE, 0.0)
        for part, members in inst.group_parts.get(g, {}).items():  # finer levels: a member city's units together
            terms = [(m.x[r, i], 1.0) for r in members] + [(z, -inst.industries[i].group_min_member)]
            m.row(RowInfo("scale_member", group=g, part=part, industry=i), terms, GE, 0.0)


def add_tiers(m: LayoutModel) -> None:
    """tiers: y_r_i + h_r_i + sum_{g∋r} z_g_i <= 1 — one tier per region and industry."""
    for r, i in m.x:
        m.row(RowInfo("tiers", region=r, industry=i), m.designation(r, i), LE, 1.0)


def add_focus(m: LayoutModel) -> None:
    """focus: sum_i d_r_i <= K_r — every tier counts, so a group is no loophole for collecting industries.

    Left out where a parent's portfolio implies it (finer levels, add_parent_limits): sum_i d_r_i <= sum_i P_p_i
    <= K_p <= K_r.
    """
    implied = {r for a in m.inst.aggregates if a.max_industries is not None for r in a.members
               if a.max_industries <= m.inst.max_clusters[r]}
    for r in m.inst.regions:
        if r in implied:
            continue
        terms = [t for i in m.inst.industries for t in m.designation(r, i)]
        m.row(RowInfo("focus", region=r), terms, LE, float(m.inst.max_clusters[r]))


def add_balance(m: LayoutModel) -> None:
    """balance: sum_i d_r_i + v_r >= L_r — every region develops something that suits it (v_r penalised)."""
    for r in m.inst.regions:
        if m.inst.min_clusters[r] > 0:
            terms = [t for i in m.inst.industries for t in m.designation(r, i)] + [(m.v[r], 1.0)]
            m.row(RowInfo("balance", region=r), terms, GE, float(m.inst.min_clusters[r]))


def add_spread(m: LayoutModel) -> None:
    """spread: N_i^min <= sum_r y_r_i <= N_i^max;  sum_g z_g_i <= NG_i."""
    inst = m.inst
    for i, p in inst.industries.items():
        ys = [(m.y[r, i], 1.0) for r in inst.regions]
        if p.provincial_count_min > 0:
            m.row(RowInfo("spread_min", industry=i), ys, GE, float(p.provincial_count_min))
        m.row(RowInfo("spread_max", industry=i), ys, LE, float(p.provincial_count_max))
        if inst.groups:
            m.row(RowInfo("spread_groups", industry=i), [(m.z[g, i], 1.0) for g in inst.groups], LE, float(p.group_max))


def add_budget(m: LayoutModel) -> None:
    """budget: sum_i x_r_i <= B_r."""
    for r, b in m.inst.budget.items():
        if b is not None:
            m.row(RowInfo("budget", region=r), [(m.x[r, i], 1.0) for i in m.inst.industries], LE, b)


def add_parent_limits(m: LayoutModel) -> None:
    """parent limits (finer resolutions): a province's limits apply to its units in aggregate.

    parent_budget: sum_{r∈p} sum_i x_r_i <= B_p (also for prefectures' budgets at county level);
    portfolio: d_r_i <= P_p_i for r ∈ p (P_p_i in [0, 1]: p takes part in a cluster of i);
    parent_focus: sum_i P_p_i <= K_p;  parent_balance: sum_i P_p_i + vp_p >= L_p (vp_p penalised
    like v_r) with portfolio_any: P_p_i <= sum_{r∈p} d_r_i, so only a real cluster counts.
    """
    inst = m.inst
    for a in inst.aggregates:
        if a.budget is not None:
            m.row(RowInfo("parent_budget", parent=a.code), [(m.x[r, i], 1.0) for r in a.members for i in inst.industries], LE, a.budget)
        if a.max_industries is None and a.min_industries <= 0:
            continue
        held = []
        for i in inst.industries:
            hosts = [r for r in a.members if inst.eligible[r, i]]
            if not hosts:
                continue
            P = m.portfolio[a.code, i] = m.var(f"P_{a.code}_{i}", up=1.0)
            held.append((P, 1.0))
            for r in hosts:
                m.row(RowInfo("portfolio", region=r, parent=a.code, industry=i), m.designation(r, i) + [(P, -1.0)], LE, 0.0)
            if a.min_industries > 0:  # each designation variable once (a group's z is shared by its members)
                some = {t: -1.0 for r in hosts for t, _ in m.designation(r, i)}
                m.row(RowInfo("portfolio_any", parent=a.code, industry=i), [(P, 1.0)] + list(some.items()), LE, 0.0)
        if a.max_industries is not None:
            m.row(RowInfo("parent_focus", parent=a.code), held, LE, float(a.max_industries))
        if a.min_industries > 0:
            m.vp[a.code] = m.var(f"vp_{a.code}")
            m.row(RowInfo("parent_balance", parent=a.code), held + [(m.vp[a.code], 1.0)], GE, float(a.min_industries))


def add_keep_base(m: LayoutModel) -> None:
    """keep-base: x_r_i >= (1 - delta_i) base_r_i where existing capacity is known."""
    for (r, i), base in m.inst.base.items():
        m.row(RowInfo("keep_base", region=r, industry=i), [(m.x[r, i], 1.0)], GE, m.inst.industries[i].base_retention * base)


def add_homogeneity(m: LayoutModel) -> None:
    """homogeneity: u_r_s_i >= (1 - kappa) [F_r_i = F_s_i = 1] + kappa [d_r_i = d_s_i = 1], both uncoordinated.

    Neighbours duplicating an industry outside a shared active group are penalised: 1 for two full
    clusters, kappa when a characteristic cluster is involved. With F = F_r_i + F_s_i - C_r_s_i and
    H = h_r_i + h_s_i (a group of both r and s is in F_r, F_s and C_r_s: its z enters once):
      homogeneity:      u_r_s_i >= F + kappa H - 1
      homogeneity_any:  u_r_s_i >= kappa (F + H - 1)
    At integer points this is exactly (1 - kappa) u_full + kappa u_any of the two-variable form
    (u >= F - 1, w >= F + H - 1), with half the columns and an LP relaxation at least as tight.
    Rows that cannot bind are left out: `homogeneity` where fewer than two full-cluster terms can be 1
    (`homogeneity_any` implies it then), both (and u = 0) where fewer than two terms of any kind can.
    """
    inst = m.inst
    kappa = inst.weights["characteristic_weight"]
    order = {g: k for k, g in enumerate(inst.groups)}
    union: dict[tuple[str, str], list[str]] = {}
    for (r, s, i), u in m.u.items():
        gs = union.get((r, s))
        if gs is None:
            gs = union[r, s] = sorted(set(inst.groups_of(r)) | set(inst.groups_of(s)), key=order.__getitem__)
        full = [(m.y[r, i], 1.0), (m.y[s, i], 1.0)] + [(m.z[g, i], 1.0) for g in gs]
        char = [(m.h[r, i], 1.0), (m.h[s, i], 1.0)]
        n_full = sum(1 for v, _ in full if v.upBound != 0)
        n_any = n_full + sum(1 for v, _ in char if v.upBound != 0)
        if n_any < 2:
            u.upBound = 0
            continue
        if n_full >= 2 and kappa < 1:
            m.row(RowInfo("homogeneity", region=r, other=s, industry=i), [(u, -1.0)] + full + [(v, kappa) for v, _ in char if kappa > 0], LE, 1.0)
        if kappa > 0:
            m.row(RowInfo("homogeneity_any", region=r, other=s, industry=i), [(u, -1.0)] + [(v, kappa) for v, _ in full + char], LE, kappa)


def add_concentrate(m: LayoutModel) -> None:
    """concentrate (key shortcomings): sum_r y_r_i <= n_i and h_r_i = z_g_i = 0 (variable bounds) — at most n_i
    regions, each a provincial cluster of at least m_i (eligibility already keeps only top S&T regions)."""
    for i, p in m.inst.industries.items():
        if p.concentrate_max is not None:
            m.row(RowInfo("concentrate", industry=i), [(m.y[r, i], 1.0) for r in m.inst.regions], LE, float(p.concentrate_max))
            for r in m.inst.regions:
                m.h[r, i].upBound = 0
            for g in m.inst.groups:
                m.z[g, i].upBound = 0


def add_persistence(m: LayoutModel) -> None:
    """persistence: d_r_i >= 1 where r held a cluster of i in the previous period (unless the file allows exit)."""
    if m.inst.previous is None or m.inst.allow_exit:
        return
    for r, i in m.inst.previous:
        m.row(RowInfo("persistence", region=r, industry=i), m.designation(r, i), GE, 1.0)


def add_growth(m: LayoutModel) -> None:
    """growth: x_r_i <= x_r_i(previous period) + G — capacity grows by at most G per period."""
    inst = m.inst
    if inst.previous is None or inst.max_growth is None:
        return
    for (r, i), x in m.x.items():
        m.row(RowInfo("growth", region=r, industry=i), [(x, 1.0)], LE, inst.previous.get((r, i), 0.0) + inst.max_growth)


def add_strengths(m: LayoutModel) -> None:
    """strengths: x_r_i >= share_r_i * sum_s x_s_i — a long board keeps its share of national capacity."""
    for (r, i), share in m.inst.strengths.items():
        terms = [(m.x[s, i], -share) for s in m.inst.regions if s != r] + [(m.x[r, i], 1.0 - share)]
        m.row(RowInfo("strengths", region=r, industry=i), terms, GE, 0.0)


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
    m.prob.setObjective(pulp.LpAffineExpression([(v, c) for v, c in terms if c != 0]))


FAMILIES = (
    add_eligibility, add_demand, add_overcapacity, add_hosting, add_scale, add_tiers, add_focus,
    add_balance, add_spread, add_budget, add_parent_limits, add_keep_base, add_homogeneity, add_concentrate,
    add_persistence, add_growth, add_strengths,
)


def build_model(inst: Instance) -> LayoutModel:
    """The whole model: variables, then each constraint family in order, then the objective."""
    m = LayoutModel(inst, pulp.LpProblem("layout", pulp.LpMinimize))
    add_variables(m)
    for family in FAMILIES:
        family(m)
    set_objective(m)
    m.prob.extend(m.rows)
    m._designations.clear()  # a building aid only (county level: ~45,000 lists)
    return m
