"""The headline outcome of a completed run."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from axom_tui.api.records import Job, Result
from axom_tui.base.glyphs import ascii_on, glyph
from axom_tui.base.sanitize import clean_text
from axom_tui.view import format as fmt


class ResultCard(Static):
    DEFAULT_CSS = """
    ResultCard { height: auto; max-height: 50%; padding: 0 1; margin-bottom: 1;
                 border-left: outer $success; }
    """

    def show(self, job: Job | None, result: Result | None, model_name: str | None = None) -> None:
        self.display = result is not None
        if result is not None:
            self.update(self.render_card(job, result, model_name))

    def render_card(self, job: Job | None, r: Result, model_name: str | None) -> Table:
        variables = self.app.theme_variables
        good = variables.get("success", "green")
        bad = variables.get("error", "red")
        table = Table.grid(padding=(0, 1))
        table.add_column(style="dim", no_wrap=True)
        table.add_column()
        table.add_row(
            Text("Result", style="bold"),
            Text(
                clean_text(model_name, 40) if model_name else "",
                style="dim",
                overflow="crop" if ascii_on() else "ellipsis",
                no_wrap=True,
            ),
        )
        delta_style = good if (r.ppl_delta_pct or 0) <= 0 else bad
        ppl = Text(f"{fmt.si(r.ppl_baseline)} {glyph('arrow')} ")
        ppl.append(fmt.si(r.ppl_final), style="bold")
        ppl.append(f"  {fmt.percent(r.ppl_delta_pct)}", style=f"bold {delta_style}")
        table.add_row("perplexity", ppl)
        table.add_row(
            "params",
            Text(
                f"{fmt.params(r.params_before)} {glyph('arrow')} {fmt.params(r.params_after)}"
                f"  ({fmt.signed_si(r.params_delta)})"
            ),
        )
        table.add_row("function pres.", Text(fmt.metric(r.function_preservation)))
        table.add_row("final loss", Text(fmt.metric(r.loss_final)))
        table.add_row(
            "GPU time", Text(f"{fmt.duration(r.gpu_seconds)}  ({fmt.si(r.gpu_seconds)} s)")
        )
        table.add_row("tokens", Text(fmt.si(r.tokens_processed)))
        table.add_row("cost", Text(fmt.money(r.cost_usd), style="bold"))
        return table
