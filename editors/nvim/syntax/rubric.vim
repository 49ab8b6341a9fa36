" Syntax highlighting for .rubric files (code-review criteria for rubric-lsp).
if exists("b:current_syntax")
  finish
endif

syn case match

" A block keyword followed by its brace, or alone at the end of a line.
syn match rubricBlock "\<\(task\|reward_rubric\|checks\|score\|rescore\|critique\|accept_if\|review_if\)\>\ze\s*\({\|$\|#\)"
" Any other name that opens a block is not a block the language knows.
syn match rubricUnknownBlock "^\s*\zs\(\(task\|reward_rubric\|checks\|score\|rescore\|critique\|accept_if\|review_if\)\>\)\@!\h\w*\ze\s*{"

syn keyword rubricField criterion scale
syn match rubricCriterionDef "\(\<criterion\s\+\)\@<=\h\w*"
syn keyword rubricTaskField title objective constraints
syn keyword rubricVerb revise
syn keyword rubricRule total_gte minimum weighted_gte weighted_between
syn keyword rubricBoolean true false

syn match rubricAttribute "\<\h\w*\ze\s*="
syn match rubricOperator "="
syn match rubricCheck "\(\<check\s*=\s*\)\@<=\h\w*"

syn match rubricNumber "\(\w\|\.\)\@<![-+]\=\(\d\+\(\.\d*\)\=\|\.\d\+\)%\="
syn match rubricRange "\(\w\|\.\)\@<![-+]\=\d\+\(\.\d\+\)\=\.\.[-+]\=\d\+\(\.\d\+\)\="

syn match rubricEscape +\\.+ contained
syn region rubricString start=+"+ skip=+\\.+ end=+"+ end=+$+ contains=rubricEscape

syn match rubricBrace "[{}]"
syn match rubricComment "#.*$" contains=rubricTodo,@Spell
syn keyword rubricTodo TODO FIXME XXX contained

hi def link rubricBlock Keyword
hi def link rubricUnknownBlock Error
hi def link rubricField Statement
hi def link rubricCriterionDef Function
hi def link rubricTaskField Identifier
hi def link rubricVerb Statement
hi def link rubricRule Function
hi def link rubricBoolean Boolean
hi def link rubricAttribute Identifier
hi def link rubricOperator Operator
hi def link rubricCheck Constant
hi def link rubricNumber Number
hi def link rubricRange Number
hi def link rubricEscape SpecialChar
hi def link rubricString String
hi def link rubricBrace Delimiter
hi def link rubricComment Comment
hi def link rubricTodo Todo

let b:current_syntax = "rubric"
