// swift-format-ignore-file
extension StaticFiles {
    /// `/static/align.css`: one stylesheet for every page, readable from 390 px (a phone) to wide screens; no external
    /// font, no inline style (the Content-Security-Policy allows only this file).
    static let stylesheet = #"""
:root { --ink: #1c2430; --muted: #5b6675; --line: #d7dde5; --bg: #f5f7fa; --card: #fff; --accent: #1d5fbf;
        --good: #2e7d4f; --warn: #b7791f; --bad: #b42318; font-size: 16px; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); line-height: 1.45; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 3px solid #f0b429; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
.skip:focus { left: .5rem; z-index: 10; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; padding: .6rem 1.25rem; background: #15233b; color: #fff; }
header.top a { color: #fff; }
.brand { font-weight: 700; text-decoration: none; }
nav ul { display: flex; flex-wrap: wrap; gap: .25rem .9rem; list-style: none; margin: 0; padding: 0; }
nav a { text-decoration: none; padding: .2rem 0; }
nav a[aria-current="page"] { border-bottom: 2px solid #f0b429; }
.who { margin-left: auto; display: flex; align-items: center; gap: .6rem; flex-wrap: wrap; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.2rem 0 .6rem; }
h3 { font-size: 1.05rem; margin: .8rem 0 .4rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; margin: 0 0 1rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 1rem; }
figure.card { margin: 0; }
figcaption { font-weight: 600; margin-bottom: .4rem; }
svg.chart { width: 100%; height: auto; display: block; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis { fill: var(--muted); font-size: 10px; }
svg .line { fill: none; stroke: var(--accent); stroke-width: 2; }
svg .dot { fill: var(--accent); }
svg .bar.good { fill: var(--good); } svg .bar.warn { fill: var(--warn); } svg .bar.bad { fill: var(--bad); } svg .bar.neutral { fill: #7a8699; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: var(--card); }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
dl.facts { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: .2rem .8rem; margin: .4rem 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
dl.facts ul, .card ul { margin: .1rem 0; padding-left: 1.2rem; }
.status { color: var(--muted); margin: .2rem 0 .5rem; }
.none, .empty { color: var(--muted); }
.badge { background: var(--good); color: #fff; border-radius: 4px; padding: 0 .4rem; font-size: .8rem; }
.forms { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: .8rem; margin-top: .6rem; }
form.command, form.filters, .card form { display: flex; flex-direction: column; gap: .45rem; }
form.filters { flex-direction: row; flex-wrap: wrap; align-items: flex-end; }
.forms form { border-top: 1px solid var(--line); padding-top: .5rem; }
label { display: flex; flex-direction: column; gap: .15rem; font-weight: 600; font-size: .95rem; }
label small, small.hint { font-weight: 400; color: var(--muted); }
small.hint { display: block; font-size: .85rem; }
label.check { flex-direction: row; align-items: center; gap: .4rem; font-weight: 400; }
fieldset { border: 1px solid var(--line); border-radius: 6px; display: flex; flex-wrap: wrap; gap: .3rem 1rem; }
input, select, textarea { font: inherit; padding: .35rem .45rem; border: 1px solid #9aa5b4; border-radius: 5px; background: #fff; width: 100%; max-width: 40rem; }
input[type="checkbox"] { width: auto; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; }
button { font: inherit; padding: .4rem .9rem; border-radius: 5px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button[name="request-changes"], #sign-out { background: #fff; color: var(--accent); }
button:disabled { opacity: .6; cursor: wait; }
.result:empty { display: none; }
.result, .flash { margin: .2rem 0; }
.result.refused, .refusal { color: var(--bad); font-weight: 600; }
.flash { background: #e7f4ec; border: 1px solid var(--good); border-radius: 6px; padding: .5rem .8rem; }
.mono, code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; background: #eef1f5; padding: .6rem; border-radius: 6px; }
.age.late { color: var(--bad); font-weight: 600; } .age.ok { color: var(--good); }
li.met { color: var(--good); } li.failed, li.missing { color: var(--bad); }
.brief { border-left: 3px solid var(--accent); padding-left: .6rem; margin: .3rem 0; }
ol.tail { list-style: none; padding: 0; } ol.tail li { padding: .3rem 0; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
.live-note:empty { display: none; }
@media (max-width: 600px) {
  main { padding: .6rem .7rem 2rem; }
  header.top { padding: .5rem .7rem; }
  .who { margin-left: 0; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dt { margin-top: .3rem; }
  .charts, .forms { grid-template-columns: 1fr; }
}
"""#
}
