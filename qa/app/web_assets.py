"""Fixed page text, CSS and JavaScript for the web app, kept apart so qa/app/web.py stays readable."""
from __future__ import annotations

HEADER_HTML = (
    "<h1>PlanQA 规划问答</h1>"
    "<p>就城市信息化规划提问，回答全部是规划文件原文，标明出处，可一键复制引用。</p>"
)
NO_SOURCES_HTML = '<div class="sources-empty">提问后，这里会列出每条引用的出处：文件、章节、字符位置和原文段落。</div>'
EXAMPLES = (
    "到2015年咸阳的宽带用户目标是多少？",
    "宝鸡数字档案馆工程计划经费多少？",
    "咸阳2007年建成了多少个村级信息服务站？",
    "宝鸡“十二五”期间信息化水平指数目标是多少？",
    "渭南市的宽带目标是多少？",
)

# System CJK fonts first: the app must look right offline, so no web fonts.
FONT_STACK = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "PingFang SC",
    "Microsoft YaHei",
    "WenQuanYi Micro Hei",
    "sans-serif",
)

PAGE_CSS = """
.gradio-container { max-width: 1400px !important; }
#planqa-header h1 { margin: 0 0 .2em 0; font-size: 1.6em; }
#planqa-header p { margin: 0; color: var(--body-text-color-subdued); }
#planqa-chat mark { background: #fff1a8; padding: 0 .15em; border-radius: 3px; font-weight: 700; }
#planqa-chat blockquote { border-left: 4px solid #3b6fd8; margin: .4em 0; padding: .2em .8em;
  background: rgba(59,111,216,.06); }
#planqa-chat .cite-src { color: var(--body-text-color-subdued); font-size: .88em; }
#planqa-chat .rewritten { color: var(--body-text-color-subdued); font-size: .82em; }
#planqa-chat .silent { border: 1px solid #e0a800; background: #fff8e1; color: #6b4e00;
  border-radius: 6px; padding: .45em .8em; font-weight: 600; display: inline-block; }
#planqa-chat .err { border: 1px solid #d9534f; background: #fdecea; color: #8a1f1b;
  border-radius: 6px; padding: .45em .8em; display: inline-block; }
#planqa-notice .notice { border: 1px solid #d9534f; background: #fdecea; color: #8a1f1b;
  border-radius: 6px; padding: .5em .9em; margin: .3em 0; }
"""

# Scoped to the sources gr.HTML component by gradio (css_template).
SOURCES_CSS = """
.sources-empty { color: var(--body-text-color-subdued); padding: 1em .2em; }
.sources-title { font-weight: 700; margin: .2em 0 .6em 0; font-size: 1.05em; }
.src-card { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: .7em .9em; margin-bottom: .8em; background: var(--background-fill-secondary); }
.src-card.related { border-style: dashed; opacity: .92; }
.src-head { font-weight: 600; }
.src-n { color: #3b6fd8; margin-right: .3em; }
.src-docno { color: var(--body-text-color-subdued); font-weight: 400; font-size: .9em; margin-left: .4em; }
.src-section, .src-span { color: var(--body-text-color-subdued); font-size: .86em; margin-top: .15em; }
.src-row { margin-top: .4em; font-size: .92em; }
.src-context { margin: .5em 0; padding: .3em .7em; border-left: 3px solid var(--border-color-primary);
  line-height: 1.7; white-space: pre-wrap; }
.src-context mark { background: #fff1a8; padding: 0 .1em; }
.src-actions { display: flex; align-items: center; gap: .6em; }
.copy-ref { cursor: pointer; border: 1px solid #3b6fd8; color: #3b6fd8; background: transparent;
  border-radius: 5px; padding: .15em .7em; font-size: .9em; }
.copy-ref:hover { background: rgba(59,111,216,.1); }
.copy-status { font-size: .85em; color: #2e7d32; }
.ref-out { width: 100%; margin-top: .4em; font-size: .88em; min-height: 3.2em; resize: vertical; }
.related-head { font-weight: 700; margin: .8em 0 .5em 0; color: #6b4e00; }
"""

# Runs once per sources panel (gr.HTML js_on_load); delegation on the root
# element keeps working after the panel's HTML is replaced by each answer.
# The textarea is the fallback: headless or non-HTTPS pages often have no
# clipboard API, so the reference is always shown selected for Ctrl+C.
COPY_JS = """
element.addEventListener('click', async (event) => {
  const button = event.target.closest('button.copy-ref');
  if (!button) return;
  const card = button.closest('.src-card');
  const box = card.querySelector('textarea.ref-out');
  const status = card.querySelector('.copy-status');
  box.hidden = false;
  box.style.height = 'auto';
  box.style.height = (box.scrollHeight + 4) + 'px';  // show the whole reference
  let copied = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(box.value);
      copied = true;
    }
  } catch (err) { copied = false; }
  box.focus();
  box.select();
  if (!copied) {
    try { copied = document.execCommand('copy'); } catch (err) { copied = false; }
  }
  status.textContent = copied ? '已复制到剪贴板' : '请按 Ctrl+C 复制下方文字';
});
"""
