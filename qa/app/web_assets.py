"""Fixed page text, CSS and JavaScript for the web app, kept apart so qa/app/web.py stays readable."""
from __future__ import annotations

HEADER_HTML = (
    "<h1>PlanQA 规划问答</h1>"
    "<p>就城市信息化规划提问，回答全部是规划文件原文，标明出处；点回答里的 [1] 查看出处，可复制引用、导出对话。</p>"
)
NO_SOURCES_HTML = '<div class="sources-empty">提问后，这里会列出每条引用的出处：文件、文号、章节和原文段落。点任一回答里的 [1] 可回看它的出处。</div>'
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

PHONE_MAX_WIDTH = 760  # px; below it the sources fold under each answer

PAGE_CSS = """
.gradio-container { max-width: 1440px !important; margin-left: auto !important; margin-right: auto !important; }
#planqa-header h1 { margin: 0 0 .2em 0; font-size: 1.6em; }
#planqa-header p { margin: 0; color: var(--body-text-color-subdued); }
#planqa-chat mark { background: #fff1a8; padding: 0 .15em; border-radius: 3px; font-weight: 700; }
#planqa-chat blockquote { border-left: 4px solid #3b6fd8; margin: .4em 0; padding: .2em .8em;
  background: rgba(59,111,216,.06); }
#planqa-chat .cite-src, #planqa-chat .rewritten { color: var(--body-text-color-subdued); font-size: .85em; }
#planqa-chat .row-label { color: var(--body-text-color-subdued); font-size: .9em; }
#planqa-chat .silent { border: 1px solid #e0a800; background: #fff8e1; color: #6b4e00;
  border-radius: 6px; padding: .45em .8em; font-weight: 600; display: inline-block; }
#planqa-chat .refusal { margin: .4em 0; }
#planqa-chat .related ul { margin: .2em 0 .2em 1.2em; padding: 0; }
#planqa-chat .hint { margin-top: .4em; color: #0b5394; }
#planqa-chat .err { border: 1px solid #d9534f; background: #fdecea; color: #8a1f1b;
  border-radius: 6px; padding: .45em .8em; display: inline-block; }
#planqa-chat .pending { color: var(--body-text-color-subdued); font-style: italic; }
#planqa-chat button.cite-n { border: 0; background: none; color: #3b6fd8; cursor: pointer; padding: 0 .1em;
  font: inherit; font-weight: 700; }
#planqa-chat button.cite-n:hover { text-decoration: underline; }
#planqa-chat table.cmp { border-collapse: collapse; margin: .4em 0; font-size: .95em; }
#planqa-chat table.cmp th, #planqa-chat table.cmp td { border: 1px solid var(--border-color-primary); padding: .2em .6em; }
#planqa-chat .cmp-none { color: #6b4e00; font-size: .9em; }
#planqa-chat .turn-actions { display: flex; flex-wrap: wrap; align-items: center; gap: .4em; margin-top: .6em; }
#planqa-chat .turn-actions button, #planqa-chat .src-inline button.copy-ref {
  border: 1px solid var(--border-color-primary); border-radius: 5px; background: transparent;
  padding: .1em .6em; font-size: .85em; cursor: pointer; white-space: nowrap; }
#planqa-chat .turn-actions button.pressed { background: #e8f0fe; border-color: #3b6fd8; }
#planqa-chat .act-status, #planqa-chat .copy-status { font-size: .82em; color: #2e7d32; }
#planqa-chat details.src-inline { display: none; margin-top: .5em; }
#planqa-chat details.src-inline summary { cursor: pointer; color: #3b6fd8; font-weight: 600; }
#planqa-chat .src-inline .src-card { border: 1px solid var(--border-color-primary); border-radius: 6px;
  padding: .5em .7em; margin: .4em 0; }
#planqa-chat .src-inline .src-card.active { border-color: #3b6fd8; }
#planqa-chat .src-inline .src-section, #planqa-chat .src-inline .src-span,
#planqa-chat .src-inline .src-docno, #planqa-chat .src-inline .src-date { color: var(--body-text-color-subdued); font-size: .85em; }
#planqa-chat .src-inline .src-docno, #planqa-chat .src-inline .src-date { margin-left: .4em; }
#planqa-notice .notice { border: 1px solid #d9534f; background: #fdecea; color: #8a1f1b;
  border-radius: 6px; padding: .5em .9em; margin: .3em 0; }
#planqa-notice .notice.ok { border-color: #2e7d32; background: #edf7ee; color: #1e4620; }
#planqa-tools button { white-space: nowrap; }
#planqa-feedback { border: 1px solid #e0a800; border-radius: 8px; }
@media (max-width: 760px) {
  #planqa-sources-col { display: none !important; }
  #planqa-chat details.src-inline { display: block; }
  #planqa-header h1 { font-size: 1.3em; }
}
"""

# Scoped to the sources gr.HTML component by gradio (css_template).
SOURCES_CSS = """
.sources-empty { color: var(--body-text-color-subdued); padding: 1em .2em; }
.turn-src[hidden] { display: none !important; }
.turn-q { font-size: .9em; color: var(--body-text-color-subdued); margin-bottom: .3em; }
.sources-title { font-weight: 700; margin: .2em 0 .6em 0; font-size: 1.05em; }
.src-card { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: .7em .9em; margin-bottom: .8em; background: var(--background-fill-secondary); }
.src-card.active { border-color: #3b6fd8; box-shadow: 0 0 0 2px rgba(59,111,216,.25); }
.src-card.related { border-style: dashed; opacity: .92; }
.src-head { font-weight: 600; }
.src-n { color: #3b6fd8; margin-right: .3em; }
.src-label { background: #fff8e1; color: #6b4e00; border-radius: 4px; padding: 0 .4em; margin-right: .4em; font-size: .85em; }
.src-docno, .src-date { color: var(--body-text-color-subdued); font-weight: 400; font-size: .9em; margin-left: .4em; }
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

# Runs once, on the sources panel (gr.HTML js_on_load), and listens on the whole
# page: chat bubbles are sanitized (classes survive, data-* does not), so a button
# names its answer in a class "t-<turn id>" and citation "n-<n>", and the texts to
# copy are read from the panel, which holds every answer's section. Clipboard: the
# async API where the page is a secure context (localhost is), else a selected
# textarea and execCommand('copy'); the panel's reference box stays visible either way.
PAGE_JS = """
if (!window.__planqaChat) {
  window.__planqaChat = true;
  const narrow = () => window.matchMedia('(max-width: {PHONE}px)').matches;
  const token = (el, prefix) => {
    for (const c of el.classList) { if (c.startsWith(prefix)) return c.slice(prefix.length); }
    return '';
  };
  // the panel is looked up each time: a re-render may mount it anew, leaving the load-time element detached
  const panel = () => document.getElementById('planqa-sources') || element;
  const section = (turn) => panel().querySelector(`section.turn-src[data-turn="${turn}"]`);
  const copyText = async (text) => {
    try {
      if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); return true; }
    } catch (err) { /* fall through to execCommand */ }
    const area = document.createElement('textarea');
    area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.left = '-9999px';
    document.body.appendChild(area); area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (err) { ok = false; }
    area.remove();
    return ok;
  };
  const showTurn = (turn, n, scroll = true) => {
    const target = section(turn);
    if (!target) return null;
    panel().querySelectorAll('section.turn-src').forEach((s) => { s.hidden = s !== target; });
    panel().querySelectorAll('.src-card.active').forEach((c) => c.classList.remove('active'));
    const card = n ? target.querySelector(`.src-card[data-n="${n}"]`) : null;
    if (card) { card.classList.add('active'); if (scroll && !narrow()) card.scrollIntoView({block: 'nearest'}); }
    return target;
  };
  const openFold = (bubble, n, scroll = true) => {
    const fold = bubble && bubble.querySelector('details.src-inline');
    if (!fold || !narrow()) return;
    fold.open = true;
    fold.querySelectorAll('.src-card').forEach((c) => c.classList.toggle('active', c.classList.contains('n-' + n)));
    const card = fold.querySelector('.src-card.n-' + n);
    if (card && scroll) card.scrollIntoView({block: 'nearest'});
  };
  // The user's choice of sources holds until the user asks again: the panel and the chat
  // are re-rendered by separate updates, and one landing after the click would otherwise
  // put the latest answer's sources back over it. (Re-renders can show the chat without
  // its bubbles or with older ones last for a moment, so the pin ends on the user's own
  // next question, not on what the chat shows.)
  let pin = null;
  const pinned = (turn, n, fold) => ({turn: turn, n: n, fold: fold});
  const asking = (event) => {
    const box = event.target;
    if (event.type === 'keydown' && event.key === 'Enter' && !event.shiftKey && box instanceof HTMLTextAreaElement
        && box.closest('#planqa-input') && box.value.trim()) pin = null;
    if (event.type === 'click' && event.target.closest('#planqa-send, #planqa-new, #planqa-examples')) pin = null;
  };
  document.addEventListener('keydown', asking, true);
  document.addEventListener('click', asking, true);
  // a fold the user closes stays closed (a re-render builds a new one; that fires no toggle)
  document.addEventListener('toggle', (event) => {
    if (pin && event.target.matches && event.target.matches('details.src-inline') && !event.target.open) pin.fold = false;
  }, true);
  const keepPin = () => {
    if (!pin) return;
    const target = section(pin.turn);
    const card = target && pin.n ? target.querySelector(`.src-card[data-n="${pin.n}"]`) : null;
    if (target && (target.hidden || (card && !card.classList.contains('active')))) showTurn(pin.turn, pin.n, false);
    if (pin.fold) {
      const bubble = document.querySelector(`#planqa-chat .ans.t-${pin.turn}`);
      const fold = bubble && bubble.querySelector('details.src-inline');
      if (fold && !fold.open) openFold(bubble, pin.n, false);
    }
  };
  new MutationObserver(keepPin).observe(document.body, {childList: true, subtree: true});
  const status = (holder, text) => { if (holder) holder.textContent = text; };
  // Enter in an empty question box asks nothing: it is the second press of a double Enter
  // (the box was just cleared); the 提问 button still explains an empty question.
  const emptyEnter = (event) => {
    const box = event.target;
    if (event.key === 'Enter' && !event.shiftKey && box instanceof HTMLTextAreaElement
        && box.closest('#planqa-input') && !box.value.trim()) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  };
  document.addEventListener('keydown', emptyEnter, true);
  document.addEventListener('keypress', emptyEnter, true);
  document.addEventListener('click', async (event) => {
    const cite = event.target.closest('#planqa-chat button.cite-n');
    if (cite) {
      const turn = token(cite, 't-'), n = token(cite, 'n-');
      pin = pinned(turn, n, narrow());
      showTurn(turn, n);
      openFold(cite.closest('.ans'), n);
      // a re-render that replaced the bubble just before the click leaves no mutation after it
      // to restore the choice: look again once the page has settled
      setTimeout(keepPin, 100);
      setTimeout(keepPin, 600);
      return;
    }
    const action = event.target.closest('#planqa-chat .turn-actions button');
    if (action) {
      const turn = token(action, 't-');
      const holder = action.closest('.turn-actions').querySelector('.act-status');
      const target = section(turn);
      if (action.classList.contains('act-copy') || action.classList.contains('act-refs')) {
        const kind = action.classList.contains('act-copy') ? 'plain-answer' : 'plain-refs';
        const box = target && target.querySelector('textarea.' + kind);
        if (!box) { status(holder, '找不到这条回答的内容，请刷新页面'); return; }
        status(holder, (await copyText(box.value)) ? '已复制' : '复制失败，请在右侧出处栏手动选择文字');
      } else {
        const rating = action.classList.contains('act-up') ? 'up' : 'down';
        action.closest('.turn-actions').querySelectorAll('.act-up, .act-down').forEach((b) => b.classList.remove('pressed'));
        action.classList.add('pressed');
        status(holder, rating === 'up' ? '已记录：有用' : '已记录：有误，可在下方补充说明');
        trigger('feedback', {turn: turn, rating: rating});
      }
      return;
    }
    const copyRef = event.target.closest('button.copy-ref');
    if (copyRef) {
      const turn = copyRef.dataset.turn !== undefined ? copyRef.dataset.turn : token(copyRef, 't-');
      const n = copyRef.dataset.n || token(copyRef, 'n-');
      const scope = turn ? section(turn) : panel();
      const card = scope && scope.querySelector(`.src-card[data-n="${n}"]`);
      const box = card && card.querySelector('textarea.ref-out');
      const holder = copyRef.parentElement.querySelector('.copy-status');
      if (!box) { status(holder, '找不到引用文字'); return; }
      const inPanel = panel().contains(copyRef);
      if (inPanel) {
        box.hidden = false;
        box.style.height = 'auto';
        box.style.height = (box.scrollHeight + 4) + 'px';
      }
      const copied = await copyText(box.value);
      if (inPanel) { box.focus(); box.select(); }
      status(holder, copied ? '已复制到剪贴板' : '请按 Ctrl+C 复制下方文字');
      return;
    }
    const bubble = event.target.closest('#planqa-chat .ans');
    if (bubble) {  // clicking an answer shows its sources
      pin = pinned(token(bubble, 't-'), '', false);
      showTurn(pin.turn, '');
    }
  });
}
""".replace("{PHONE}", str(PHONE_MAX_WIDTH))
