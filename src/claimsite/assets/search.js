// The published site's search, over its Pagefind index (claimsite.search writes it to <site>/pagefind/):
// the dialog in the header (theme/partials/search.html) and the faceted browse page (the element marked
// data-claimsite-browse). theme/main.html loads this module only when the site searches with Pagefind;
// the offline copy keeps Material's lunr search.
//
// Everything comes from the site itself: Pagefind's script, its WebAssembly and index chunks are
// fetched from <site root>/pagefind/ the first time a reader opens the search or the browse page.
// Every word shown comes from claimsite.search_ui.interface_strings, and Pagefind's ranking options
// from claimsite.search.RANKING, as JSON in the page (theme/partials/search.html).

const SETTINGS = readJSON("__claimsite_search")
const STRINGS = SETTINGS.strings || {}
const LANGUAGE = STRINGS.language || document.documentElement.lang || "en"
const ROOT = siteRoot()
// Results whose data a page of results loads: five in the dialog (as Pagefind's own interface; each result
// costs its fragment, the bulk of a further query's bytes), ten on the browse page, a list to scan.
const DIALOG_PAGE_SIZE = 5
const BROWSE_PAGE_SIZE = 10
const DEBOUNCE_MS = 100
const STATUSES = new Set(["alleged", "corroborated", "confirmed", "disputed", "misleading", "false"])
const ISO_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/

// The filters claim pages carry (claimsite.search_ui.FACETS), in the order the browse page shows them.
const FACETS = [
  "status", "flag", "confidence", "tag", "person", "organisation",
  "publisher", "year", "source_kind", "origins", "kind",
]
const FACET_PREVIEW = 8
// The browse page lists claims: other pages have no date to sort by, and Pagefind would count them in
// the facets while leaving them out of date-sorted results. Without a `kind` filter of that value
// (an older index) it lists every page and offers `kind` as one more facet.
const BROWSE_SCOPE = { kind: "claim" }
const SORTS = {
  relevance: null,
  "date-desc": { date: "desc" },
  "date-asc": { date: "asc" },
  "changed-desc": { changed: "desc" },
}

// ------------------------------------------------------------------------------------------ helpers

function readJSON(id) {
  const element = document.getElementById(id)
  try {
    return element ? JSON.parse(element.textContent) : {}
  } catch {
    return {}
  }
}

function text(key) {
  return STRINGS[key] ?? key
}

function countText(n) {
  const category = new Intl.PluralRules(LANGUAGE).select(n)
  const template = STRINGS[`count_${category}`] ?? STRINGS.count_other ?? STRINGS.count_many ?? "{n}"
  return template.replace("{n}", n.toLocaleString(LANGUAGE))
}

// The site root as an absolute URL. Pages use relative addresses, and Material's configuration holds
// this page's way back to the root (`base`); the module's own address (<root>/assets/search.js) is the
// fallback. Either way a site served from a sub-path works.
function siteRoot() {
  const base = readJSON("__config").base
  if (typeof base === "string") {
    return new URL(base.endsWith("/") ? base : `${base}/`, location.href)
  }
  return new URL("../", import.meta.url)
}

let pagefindLoading = null

// Pagefind, imported on first use only; a failed import is retried at the next use.
function loadPagefind() {
  pagefindLoading ??= (async () => {
    const pagefind = await import(new URL("pagefind/pagefind.js", ROOT).href)
    // Result URLs are root-relative to the indexed site: under a sub-path they need its path in front.
    await pagefind.options({ ...SETTINGS.options, baseUrl: ROOT.pathname })
    await pagefind.init()
    return pagefind
  })().catch((error) => {
    pagefindLoading = null
    throw error
  })
  return pagefindLoading
}

function element(name, attributes = {}, ...children) {
  const node = document.createElement(name)
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue
    node.setAttribute(key, value === true ? "" : value)
  }
  node.append(...children.filter((child) => child !== null && child !== undefined))
  return node
}

// Whether a key pressed there is text (Material's shortcuts are not taken from fields).
function isTyping(target) {
  if (!(target instanceof Element)) return false
  return target.closest("input, select, textarea") !== null || target.isContentEditable
}

// The status badge of a claim, as claimsite.render.badge writes it on the claim's page; nothing for a
// page that has no status.
function statusBadge(meta) {
  if (!STATUSES.has(meta.status) || !meta.status_label) return null
  return element(
    "span",
    { class: `claim-badge claim-badge--${meta.status}` },
    element("span", { class: "claim-badge__icon", "aria-hidden": "true" }, meta.status_icon || ""),
    ` ${meta.status_label}`,
  )
}

function resultFacts(meta) {
  const badge = statusBadge(meta)
  const date = meta.date_label
    ? element("time", { datetime: ISO_DATE.test(meta.date || "") ? meta.date : null }, meta.date_label)
    : null
  if (!badge && !date) return null
  return element("span", { class: "claimsite-result__facts" }, badge, date)
}

// Pagefind's excerpt is HTML with the text escaped and the matched words in <mark>: only those two
// kinds of node are kept, so nothing else from the index can ever become markup.
function markedText(html) {
  const template = document.createElement("template")
  template.innerHTML = html || ""
  return [...template.content.childNodes].map((node) =>
    node.nodeName === "MARK" ? element("mark", {}, node.textContent) : node.textContent,
  )
}

function summary(data) {
  const statement = data.meta?.statement
  const content = statement ? [statement] : markedText(data.excerpt)
  return element("span", { class: "claimsite-result__summary" }, ...content)
}

function title(data) {
  return data.meta?.title || data.url
}

// ---------------------------------------------------------------------------------- search dialog

// The dialog in the header: Material's markup and toggle, so Material's styles open, place and close
// it; the keys are Material's (/, s, f open it; Escape and Tab close it; arrows move through results).
class SearchDialog {
  constructor(root) {
    this.root = root
    this.toggle = document.getElementById("__search")
    this.input = root.querySelector("[data-claimsite-search-query]")
    this.meta = root.querySelector("[data-claimsite-search-meta]")
    this.list = root.querySelector("[data-claimsite-search-list]")
    this.more = root.querySelector("[data-claimsite-search-more]")
    this.results = []
    this.shown = 0
    this.run = 0
    this.timer = null
    this.returnFocus = null
    this.quiet = false // while the script itself moves the focus within the dialog
    this.closing = false // while the script itself closes the dialog

    this.input.addEventListener("focus", () => this.quiet || this.open())
    this.input.addEventListener("input", () => this.schedule())
    this.input.form.addEventListener("submit", (event) => {
      event.preventDefault()
      this.openFirstResult()
    })
    this.input.form.addEventListener("reset", () => {
      setTimeout(() => {
        this.search("")
        this.input.focus()
      })
    })
    this.toggle.addEventListener("change", () => {
      if (this.toggle.checked) this.opened()
      // Closed by its overlay or back arrow: the field lets go of the focus, so that focusing it opens again.
      else if (!this.closing && this.root.contains(document.activeElement)) document.activeElement.blur()
    })
    // The header's magnifier opens the dialog (the label checks the toggle); the field must take the
    // focus in the same click, or phones bring up no keyboard.
    for (const label of document.querySelectorAll('header label[for="__search"]')) {
      label.addEventListener("click", () => {
        if (this.isOpen) return
        this.remember(document.activeElement)
        this.focusQuietly(this.input)
      })
    }
    this.list.addEventListener("click", (event) => {
      if (event.target instanceof Element && event.target.closest("a")) this.close({ restoreFocus: false })
    })
    this.more.addEventListener("click", () => this.showMore(this.run, { focus: true }))
    window.addEventListener("keydown", (event) => this.keydown(event))
  }

  get isOpen() {
    return this.toggle.checked
  }

  open() {
    if (!this.isOpen) {
      this.remember(document.activeElement)
      this.setToggle(true)
    }
    if (document.activeElement !== this.input) this.focusQuietly(this.input)
  }

  // Where the focus goes back to when the dialog closes: what had it before, outside the dialog.
  remember(active) {
    this.returnFocus = active && active !== document.body && !this.root.contains(active) ? active : null
  }

  // A click, as Material does: the toggle's change event must fire.
  setToggle(open) {
    if (this.toggle.checked === open) return
    this.closing = !open
    this.toggle.click()
    this.closing = false
  }

  focusQuietly(target) {
    this.quiet = true
    target.focus()
    this.quiet = false
  }

  opened() {
    loadPagefind().catch(() => this.failed())
    if (document.activeElement !== this.input) this.focusQuietly(this.input)
  }

  close({ restoreFocus = true } = {}) {
    clearTimeout(this.timer)
    this.setToggle(false)
    const target = restoreFocus && this.returnFocus?.isConnected ? this.returnFocus : null
    this.returnFocus = null
    if (target) target.focus()
    else if (this.root.contains(document.activeElement)) document.activeElement.blur()
  }

  keydown(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return
    if (!this.isOpen) {
      if (["/", "s", "f"].includes(event.key) && !isTyping(event.target)) {
        event.preventDefault()
        this.open()
        this.input.select()
      }
      return
    }
    switch (event.key) {
      case "Escape":
        event.preventDefault()
        this.close()
        break
      case "Tab":
        // As in Material: the dialog closes and the focus moves on from the search field.
        this.focusQuietly(this.input)
        this.returnFocus = null
        this.setToggle(false)
        break
      case "ArrowDown":
      case "ArrowUp":
        event.preventDefault()
        this.moveFocus(event.key === "ArrowDown" ? 1 : -1)
        break
      default: {
        // Typing while a result has the focus goes on in the search field.
        const active = document.activeElement
        const typed = event.key.length === 1 || event.key === "Backspace"
        if (typed && active !== this.input && this.root.contains(active)) this.focusQuietly(this.input)
      }
    }
  }

  moveFocus(step) {
    const stops = [this.input, ...this.list.querySelectorAll("a[href]")]
    if (!this.more.hidden) stops.push(this.more)
    const current = stops.indexOf(document.activeElement)
    const next = (Math.max(current, 0) + step + stops.length) % stops.length
    this.focusQuietly(stops[next])
  }

  schedule() {
    clearTimeout(this.timer)
    const term = this.input.value
    loadPagefind()
      .then((pagefind) => pagefind.preload(term))
      .catch(() => {})
    this.timer = setTimeout(() => this.search(term), DEBOUNCE_MS)
  }

  async search(term) {
    clearTimeout(this.timer)
    this.timer = null
    const run = ++this.run
    if (!term.trim()) {
      this.results = []
      this.shown = 0
      this.list.replaceChildren()
      this.more.hidden = true
      this.meta.textContent = text("prompt")
      return
    }
    let found
    try {
      const pagefind = await loadPagefind()
      found = await pagefind.search(term)
    } catch {
      if (run === this.run) this.failed()
      return
    }
    if (run !== this.run || !found) return
    this.results = found.results
    this.shown = 0
    this.list.replaceChildren()
    await this.showMore(run)
    if (run !== this.run) return
    this.meta.textContent = this.results.length ? countText(this.results.length) : text("none")
  }

  // The next page of results: Pagefind loads each result's data on demand.
  async showMore(run, { focus = false } = {}) {
    const page = this.results.slice(this.shown, this.shown + DIALOG_PAGE_SIZE)
    const data = await Promise.all(page.map((result) => result.data()))
    if (run !== this.run) return
    const items = data.map((result) => this.item(result))
    this.list.append(...items)
    this.shown += page.length
    this.more.hidden = this.shown >= this.results.length
    if (focus && items.length) this.focusQuietly(items[0].querySelector("a"))
    else if (focus) this.focusQuietly(this.input)
  }

  item(data) {
    return element(
      "li",
      { class: "md-search-result__item" },
      element(
        "a",
        { class: "md-search-result__link", href: data.url, tabindex: "-1" },
        element(
          "article",
          { class: "md-search-result__article md-typeset" },
          element("div", { class: "md-search-result__icon md-icon" }),
          element("h1", {}, title(data)),
          resultFacts(data.meta || {}),
          summary(data),
        ),
      ),
    )
  }

  async openFirstResult() {
    if (this.timer !== null) await this.search(this.input.value)
    this.list.querySelector("a[href]")?.click()
  }

  failed() {
    this.meta.textContent = text("error")
  }
}

// ------------------------------------------------------------------------------------ browse page

// Facets with live counts, a search box and a sort order over the whole index; the state lives in
// the address (?q=…&sort=…&status=…&tag=…), so a view can be shared, reloaded and gone back to.
class BrowsePage {
  constructor(root, pagefind, available) {
    this.root = root
    this.pagefind = pagefind
    this.run = 0
    this.results = []
    this.shown = 0
    this.timer = null
    this.typing = false // a run of keystrokes in the search box makes one history entry
    this.facets = new Map()
    this.scope = Object.fromEntries(
      Object.entries(BROWSE_SCOPE).filter(([name, value]) => value in (available[name] || {})),
    )
    this.build(available)
    this.restore()
    this.update()
    window.addEventListener("popstate", () => {
      this.typing = false
      this.restore()
      this.update()
    })
  }

  build(available) {
    const id = (name) => `claimsite-browse-${name}`
    this.term = element("input", {
      type: "search", id: id("q"), name: "q", autocomplete: "off", spellcheck: "false",
      class: "claimsite-browse__input",
    })
    this.sort = element(
      "select",
      { id: id("sort"), name: "sort", class: "claimsite-browse__select" },
      ...Object.keys(SORTS).map((key) => element("option", { value: key }, text(`sort_${key.replace("-", "_")}`))),
    )
    const controls = element(
      "form",
      { class: "claimsite-browse__controls", role: "search", "aria-label": text("browse") },
      element(
        "p",
        { class: "claimsite-browse__field" },
        element("label", { for: id("q") }, text("browse_search")),
        this.term,
      ),
      element(
        "p",
        { class: "claimsite-browse__field" },
        element("label", { for: id("sort") }, text("sort")),
        this.sort,
      ),
    )
    controls.addEventListener("submit", (event) => {
      event.preventDefault()
      this.changed({ typing: false })
    })
    this.term.addEventListener("input", () => {
      clearTimeout(this.timer)
      this.pagefind.preload(this.term.value).catch(() => {})
      this.timer = setTimeout(() => this.changed({ typing: true }), DEBOUNCE_MS)
    })
    this.sort.addEventListener("change", () => {
      this.sortChosen = true
      this.changed({ typing: false })
    })

    this.clear = element("button", { type: "button", class: "claimsite-browse__button" }, text("clear_filters"))
    this.clear.addEventListener("click", () => {
      for (const facet of this.facets.values()) for (const box of facet.boxes.values()) box.checked = false
      this.changed({ typing: false })
      this.term.focus()
    })
    const facetList = element("div", { class: "claimsite-browse__facet-list" })
    for (const name of FACETS) {
      if (name in this.scope) continue
      const values = Object.entries(available[name] || {})
      if (!values.length) continue
      const facet = this.facet(name, values)
      this.facets.set(name, facet)
      facetList.append(facet.fieldset)
    }
    const filters = element(
      "section",
      { class: "claimsite-browse__filters", "aria-labelledby": id("filters") },
      element("h2", { id: id("filters") }, text("filters")),
      this.clear,
      facetList,
    )

    this.count = element("p", { class: "claimsite-browse__count", role: "status" }, text("loading"))
    this.list = element("ol", { class: "claimsite-browse__list" })
    this.more = element(
      "button",
      { type: "button", class: "claimsite-browse__button claimsite-browse__more", hidden: true },
      text("more"),
    )
    this.more.addEventListener("click", () => this.showMore(this.run, { focus: true }))
    const results = element(
      "section",
      { class: "claimsite-browse__results", "aria-labelledby": id("results") },
      element("h2", { id: id("results") }, text("results")),
      this.count,
      this.list,
      this.more,
    )
    this.root.replaceChildren(controls, element("div", { class: "claimsite-browse__layout" }, filters, results))
  }

  // One fieldset of checkboxes. Values keep one order (by count over the whole site, years newest
  // first), so that a checkbox never moves under the reader's focus while the counts change.
  facet(name, values) {
    const order = {
      year: (a, b) => b[0].localeCompare(a[0], undefined, { numeric: true }),
      origins: (a, b) => a[0].localeCompare(b[0], undefined, { numeric: true }),
    }[name] ?? ((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], LANGUAGE))
    const list = element("ul", { class: "claimsite-browse__values" })
    const boxes = new Map()
    const counts = new Map()
    for (const [value] of [...values].sort(order)) {
      const box = element("input", { type: "checkbox", name, value })
      box.addEventListener("change", () => this.changed({ typing: false }))
      const count = element("span", { class: "claimsite-browse__value-count" })
      list.append(
        element(
          "li",
          {},
          element("label", {}, box, " ", element("span", { class: "claimsite-browse__value" }, value), " ", count),
        ),
      )
      boxes.set(value, box)
      counts.set(value, count)
    }
    const toggle = element(
      "button",
      { type: "button", class: "claimsite-browse__toggle", hidden: true },
      text("show_all"),
    )
    const facet = { name, boxes, counts, expanded: false, toggle }
    toggle.addEventListener("click", () => {
      facet.expanded = !facet.expanded
      this.showCounts(facet, facet.lastCounts || {})
    })
    facet.fieldset = element(
      "fieldset",
      { class: "claimsite-browse__facet" },
      element("legend", {}, text(`facet_${name}`)),
      list,
      toggle,
    )
    return facet
  }

  selected(name) {
    const facet = this.facets.get(name)
    return facet ? [...facet.boxes.values()].filter((box) => box.checked).map((box) => box.value) : []
  }

  // Values of one facet are alternatives (any of them), facets narrow each other (all of them).
  filters(except = null) {
    const filters = { ...this.scope }
    for (const name of this.facets.keys()) {
      const values = this.selected(name)
      if (name !== except && values.length) filters[name] = { any: values }
    }
    return filters
  }

  sortKey() {
    const chosen = this.sort.value
    if (this.sortChosen && chosen in SORTS) return chosen
    return this.term.value.trim() ? "relevance" : "date-desc"
  }

  // ---------------------------------------------------------------- the address

  restore() {
    const params = new URLSearchParams(location.search)
    this.term.value = params.get("q") || ""
    const sort = params.get("sort")
    this.sortChosen = sort in SORTS
    if (this.sortChosen) this.sort.value = sort
    for (const facet of this.facets.values()) {
      const wanted = new Set(params.getAll(facet.name))
      for (const [value, box] of facet.boxes) box.checked = wanted.has(value)
    }
    this.sort.value = this.sortKey()
  }

  address() {
    const params = new URLSearchParams()
    const term = this.term.value.trim()
    if (term) params.set("q", term)
    if (this.sortChosen) params.set("sort", this.sort.value)
    for (const name of this.facets.keys()) for (const value of this.selected(name)) params.append(name, value)
    const query = params.toString()
    return `${location.pathname}${query ? `?${query}` : ""}${location.hash}`
  }

  changed({ typing }) {
    clearTimeout(this.timer)
    const address = this.address()
    if (address !== `${location.pathname}${location.search}${location.hash}`) {
      if (typing && this.typing) history.replaceState(null, "", address)
      else history.pushState(null, "", address)
    }
    this.typing = typing
    if (!this.sortChosen) this.sort.value = this.sortKey()
    this.update()
  }

  // ---------------------------------------------------------------- searching

  async update() {
    const run = ++this.run
    const term = this.term.value.trim() || null
    const sort = SORTS[this.sortKey()] || {}
    let found, counts
    try {
      found = await this.pagefind.search(term, { filters: this.filters(), sort })
      // The counts of a facet with a choice made are those it would have without it: each value then
      // says how many results choosing it as well would give.
      counts = Object.fromEntries(
        await Promise.all(
          [...this.facets.keys()].map(async (name) => {
            if (!this.selected(name).length) return [name, found?.filters?.[name] || {}]
            const without = await this.pagefind.search(term, { filters: this.filters(name), sort })
            return [name, without?.filters?.[name] || {}]
          }),
        ),
      )
    } catch {
      if (run === this.run) this.count.textContent = text("error")
      return
    }
    if (run !== this.run || !found) return
    for (const facet of this.facets.values()) this.showCounts(facet, counts[facet.name])
    this.clear.hidden = ![...this.facets.keys()].some((name) => this.selected(name).length)
    this.results = found.results
    this.shown = 0
    this.list.replaceChildren()
    await this.showMore(run)
    if (run !== this.run) return
    this.count.textContent = this.results.length ? countText(this.results.length) : text("browse_none")
  }

  showCounts(facet, counts) {
    facet.lastCounts = counts
    const focused = document.activeElement
    let visible = 0
    let hiddenByPreview = 0
    for (const [value, box] of facet.boxes) {
      const n = counts[value] || 0
      facet.counts.get(value).textContent = n.toLocaleString(LANGUAGE)
      const item = box.closest("li")
      const relevant = n > 0 || box.checked || box === focused
      const previewed = facet.expanded || visible < FACET_PREVIEW || box.checked || box === focused
      if (relevant && !previewed) hiddenByPreview++
      if (relevant && previewed) visible++
      item.hidden = !(relevant && previewed)
    }
    facet.fieldset.hidden = visible === 0 && !facet.fieldset.contains(focused)
    facet.toggle.hidden = !facet.expanded && hiddenByPreview === 0
    facet.toggle.textContent = facet.expanded ? text("show_fewer") : text("show_all")
    facet.toggle.setAttribute("aria-expanded", String(facet.expanded))
  }

  async showMore(run, { focus = false } = {}) {
    const page = this.results.slice(this.shown, this.shown + BROWSE_PAGE_SIZE)
    const data = await Promise.all(page.map((result) => result.data()))
    if (run !== this.run) return
    const items = data.map((result) => this.item(result))
    this.list.append(...items)
    this.shown += page.length
    this.more.hidden = this.shown >= this.results.length
    if (focus && items.length) items[0].querySelector("a").focus()
  }

  item(data) {
    const facts = resultFacts(data.meta || {})
    return element(
      "li",
      { class: "claimsite-browse__item" },
      element("h3", { class: "claimsite-browse__title" }, element("a", { href: data.url }, title(data))),
      facts ? element("p", { class: "claimsite-browse__facts" }, facts) : null,
      element("p", { class: "claimsite-browse__summary" }, summary(data)),
    )
  }
}

async function mountBrowse(root) {
  if (root.dataset.claimsiteMounted) return
  root.dataset.claimsiteMounted = "true"
  root.setAttribute("aria-busy", "true")
  try {
    const pagefind = await loadPagefind()
    const available = await pagefind.filters() // also makes every later search return its counts
    new BrowsePage(root, pagefind, available)
  } catch {
    root.append(element("p", { role: "status" }, text("error")))
  } finally {
    root.removeAttribute("aria-busy")
  }
}

// ------------------------------------------------------------------------------------------ start

const dialog = document.querySelector("[data-claimsite-search]")
if (dialog && document.getElementById("__search")) new SearchDialog(dialog)

// With Material's instant navigation a page's content arrives without a reload: Material announces
// each new document, the browse page included.
const mountPage = () => document.querySelectorAll("[data-claimsite-browse]").forEach(mountBrowse)
if (typeof window.document$?.subscribe === "function") window.document$.subscribe(mountPage)
else mountPage()
