//! Checks of a roadmap's indicators: unique ids, executors of breakdowns and values, targets
//! with a baseline (K0404), periods karta can read (K0405: the baseline's and targets' keys, the
//! values' `period`) and a baseline and targets of one kind of period (K0406), since a calendar
//! year and a school year measure different things and are never compared.

use std::collections::HashSet;

use indexmap::IndexMap;

use super::{Ctx, Scope, unknown_executor};
use crate::diag::{Code, Diagnostic};
use crate::model::Indicator;
use crate::model::period::{Kind, Period};
use crate::msg;

pub(super) fn indicators(ctx: &mut Ctx<'_>, scope: &Scope<'_>, list: &[Indicator]) {
    let mut seen = HashSet::new();
    for (i, ind) in list.iter().enumerate() {
        let at = format!("/indicators/{i}");
        if !seen.insert(ind.id.as_str()) {
            ctx.error(
                Code::DuplicateId,
                &format!("{at}/id"),
                msg!("показатель `{}` уже есть", ind.id; "indicator `{}` already exists", ind.id),
            );
        }
        if !ind.target.is_empty() && ind.baseline.is_empty() {
            ctx.warning_at_key(Code::TargetWithoutBaseline, &format!("{at}/target"), msg!("у показателя `{}` есть целевые значения, но нет базового", ind.id;
                "indicator `{}` has targets but no baseline", ind.id))
                .hints
                .push(msg!("добавьте `baseline:` — без него нельзя оценить динамику"; "add `baseline:` — progress cannot be judged without it"));
        }
        periods(ctx, &at, &ind.id, &ind.baseline, &ind.target);
        for (key, t) in &ind.breakdown {
            let here = format!("{at}/breakdown/{}", escape(key));
            if !scope.executor(key) {
                unknown_executor(ctx, scope, &here, key);
            }
            if !t.target.is_empty() && t.baseline.is_empty() {
                ctx.warning(
                    Code::TargetWithoutBaseline,
                    &format!("{here}/target"),
                    msg!("у `{}` есть цель, но нет базового значения", key;
                    "`{}` has a target but no baseline", key),
                );
            }
            periods(ctx, &here, key, &t.baseline, &t.target);
        }
        for (v, value) in ind.values.iter().enumerate() {
            if let Some(e) = &value.executor {
                if !scope.executor(e) {
                    unknown_executor(ctx, scope, &format!("{at}/values/{v}/executor"), e);
                }
            }
            if let Err(e) = Period::parse(&value.period) {
                let d = ctx.error(Code::BadPeriod, &format!("{at}/values/{v}/period"), e.message);
                d.hints.extend(e.hint);
            }
        }
    }
}

/// K0405 for every key of `baseline` and `target` (under `at`) that is not a period; K0406 at
/// the first key whose kind differs from the first readable one's.
fn periods(ctx: &mut Ctx<'_>, at: &str, whose: &str, baseline: &IndexMap<String, f64>, target: &IndexMap<String, f64>) {
    let mut first: Option<(&str, Kind)> = None;
    let mut warned = false;
    let keys = baseline.keys().map(|k| ("baseline", k)).chain(target.keys().map(|k| ("target", k)));
    for (field, key) in keys {
        let pointer = format!("{at}/{field}/{}", escape(key));
        match Period::parse(key) {
            Err(e) => {
                let d = Diagnostic::error(Code::BadPeriod, e.message).hint_opt(e.hint);
                at_key(ctx, &pointer, d);
            }
            Ok(p) => match first {
                None => first = Some((key, p.kind())),
                Some((other, kind)) if kind != p.kind() && !warned => {
                    let (a, b) = (kind.name(), p.kind().name());
                    let d = Diagnostic::warning(
                        Code::MixedPeriods,
                        msg!("у `{}` периоды разного вида: {} ({}) и {} ({}) — такие значения не сравниваются", whose, other, a.0, key, b.0;
                            "`{}` mixes kinds of period: {} ({}) and {} ({}) — such values are not compared", whose, other, a.1, key, b.1),
                    )
                    .hint(msg!("задайте базовое значение и цели за периоды одного вида; измерения другого вида (диагностические работы за учебный год) запишите в `values:` с `measure:`";
                        "give the baseline and targets for periods of one kind; put measurements of another kind (a school year's diagnostic works) under `values:` with `measure:`"));
                    at_key(ctx, &pointer, d);
                    // One warning per indicator is enough to make the point.
                    warned = true;
                }
                Some(_) => {}
            },
        }
    }
}

/// A diagnostic underlining the key of `pointer` (`"2023-2025":`), not its value.
fn at_key(ctx: &mut Ctx<'_>, pointer: &str, d: Diagnostic) {
    let span = ctx.loaded.spans.key(pointer);
    ctx.out.push(d.at(&ctx.loaded.source, span));
}

/// A mapping key as a JSON pointer segment («2023/24» → «2023~124»).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
