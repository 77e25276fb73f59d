"""The app's style sheet: desktop layout, then the phone layout (390 px wide and up).

Only system fonts are used (nothing is fetched from the Internet). On a phone the tabs wrap
onto two lines instead of hiding behind "⋯", the question box stays above the fold, and wide
tables scroll sideways with readable headers instead of one letter per line.
"""

CSS = """
.gradio-container {max-width: 1320px !important}
#app-title h1 {margin-bottom: 0}
.muted {color: var(--body-text-color-subdued); font-size: 0.92em}
.warn {background: #fff4e5; color: #7a4a00; border-left: 3px solid #f0a030; padding: 4px 8px; margin: 6px 0}
.ok {background: #eaf6ec; color: #1d5e2a; border-left: 3px solid #3c9a50; padding: 4px 8px; margin: 6px 0}
mark {background: #ffe066; color: inherit; padding: 0 2px; border-radius: 2px}
mark.unsupported {background: #ffd0d0; color: #9b1111; font-weight: 600}
details.cite {border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 4px 8px; margin: 4px 0}
details.cite summary {cursor: pointer; font-weight: 600; font-size: 0.95em}
.cite-meta {font-size: 0.9em; margin: 4px 0}
.passage {font-size: 0.93em; border-left: 3px solid #9bb7d4; padding-left: 8px; margin: 4px 0}
.passage u {text-decoration-color: #2f6fb0; text-decoration-thickness: 2px}
.cmp-row {display: grid; grid-template-columns: 1fr 1.4fr; gap: 12px; border-bottom: 1px solid var(--border-color-primary); padding: 8px 0}
.peers {display: flex; flex-direction: column; gap: 6px}
.peer {background: var(--background-fill-secondary); border-radius: 6px; padding: 6px 8px}
.own {background: var(--background-fill-secondary); border-radius: 6px; padding: 6px 8px}
.peer-head {font-weight: 600; font-size: 0.9em; margin-bottom: 2px}
.own-only {background: #fff1b8; border-radius: 2px}
.peer-only {background: #d3f0da; border-radius: 2px}
.table-wrap td, .table-wrap th, .table-wrap .cell-wrap, .table-wrap textarea, .table-wrap input {font-family: var(--font) !important}
details.cite summary .sec {font-weight: 400; color: var(--body-text-color-subdued)}
.check {margin: 2px 0 6px 0}
.draft-preview {font-size: 0.93em; border: 1px dashed var(--border-color-primary); padding: 6px 10px; max-height: 260px; overflow: auto}
.building {background: #eef4fb; color: #17446e; border-left: 3px solid #2f6fb0; padding: 6px 10px; margin: 4px 0}
.building progress {vertical-align: middle; width: 160px; margin-left: 8px}
details.nearby {margin-top: 8px}
details.nearby > summary {cursor: pointer; color: var(--body-text-color-subdued); font-size: 0.92em}
.level {display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 0.85em; font-weight: 600; cursor: help}
.level-very {background: #cfe8d6; color: #135c2a}
.level-close {background: #e3eefb; color: #17446e}
.level-far {background: #eee; color: #555}
.confirm {border: 1px solid #f0a030; border-radius: 8px; padding: 6px 10px; background: #fffaf2}
/* the "Nguồn" block of an answer is read, not copied: no copy or feedback buttons under it */
#qa-chat .message-row:has(.thought-group) + .message-buttons {display: none}
#qa-chat .thought-group .title {font-size: 0.95em}
#qa-chat .thought-group .content {font-size: 0.95em}
#qa-chat [role=log] {scroll-behavior: auto}
.subtitle {color: var(--body-text-color-subdued)}
#index-status:not(:has(.building, .warn)) {display: none}

@media (max-width: 640px) {
  .gradio-container {padding: 0 6px !important; --layout-gap: 8px}
  .gradio-container .main, .gradio-container .contain {padding-top: 0 !important}
  #app-title h1 {font-size: 1.2em; margin: 0}
  #app-title .subtitle, #qa-top .intro {display: none}
  #main-tabs .tab-container button, #main-tabs [role=tab] {padding: 6px 10px}
  #qa-top {gap: 4px}
  #qa-commune {padding: 4px 8px}
  /* the question box stays above the fold: the chat takes what the phone has left */
  #qa-chat {height: calc(100svh - 370px) !important; min-height: 240px}
  #qa-input {flex-wrap: nowrap !important; gap: 6px}
  #qa-input > * {min-width: 0 !important}
  #qa-send, #qa-stop {flex: 0 0 64px !important; min-width: 64px !important}
  .cmp-row {grid-template-columns: 1fr}
  /* tables: as wide as they need (the page measures this width to size the columns) and
     scrolled sideways, so no header wraps one letter per line */
  .wide-table .table-wrap, #draft-indicators .table-wrap {overflow-x: auto !important}
  .wide-table .upload-container, .wide-table .virtual-table-viewport,
  #draft-indicators .upload-container, #draft-indicators .virtual-table-viewport {min-width: 640px !important}
}
"""
