;;; emacs_eglot_e2e.el --- the eglot set-up of docs/editors.md against the real server  -*- lexical-binding: t; -*-

;; Run by run_emacs_e2e.sh as
;;   emacs --batch -l tests/editors/emacs_eglot_e2e.el
;; with RUBRIC_LSP_CMD (the server), RUBRIC_E2E_DIR (an empty temporary
;; directory) and RUBRIC_DOCS (docs/editors.md) set. It evaluates the Emacs
;; Lisp block of the Emacs section of the docs as written, opens a broken
;; rubric in a git repository, and checks the diagnostic, a completion and a
;; hover. Exits with status 0 only when every check passed.

(require 'cl-lib)
(package-initialize)
(require 'eglot)

(defvar rubric-e2e-passed 0)
(defvar rubric-e2e-failed 0)

(defun rubric-e2e-log (format-string &rest args)
  (princ (concat (apply #'format format-string args) "\n")))

(defmacro rubric-e2e-check (name &rest body)
  "Run BODY as the check NAME; an error or a nil result fails it."
  (declare (indent 1))
  `(condition-case err
       (if (progn ,@body)
           (progn (cl-incf rubric-e2e-passed) (rubric-e2e-log "ok     %s" ,name))
         (cl-incf rubric-e2e-failed)
         (rubric-e2e-log "FAILED %s" ,name))
     (error (cl-incf rubric-e2e-failed)
            (rubric-e2e-log "FAILED %s: %s" ,name (error-message-string err)))))

(defun rubric-e2e-wait (predicate seconds)
  "Process events until PREDICATE holds or SECONDS pass; return its value."
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.1))
    value))

(defun rubric-e2e-docs-snippet (path n)
  "The Nth (from 1) Emacs Lisp block after the Emacs heading of the docs at PATH."
  (with-temp-buffer
    (insert-file-contents path)
    (goto-char (point-min))
    (re-search-forward "^## Emacs")
    (dotimes (_ n)
      (re-search-forward "^```elisp\n"))
    (let ((start (point)))
      (re-search-forward "^```$")
      (buffer-substring-no-properties start (match-beginning 0)))))

(defun rubric-e2e-position (line character)
  (list :line line :character character))

(let* ((server (getenv "RUBRIC_LSP_CMD"))
       (dir (file-name-as-directory (getenv "RUBRIC_E2E_DIR")))
       (workspace (expand-file-name "workspace/" dir))
       (file (expand-file-name "review.rubric" workspace)))
  (make-directory (expand-file-name ".git" workspace) t)
  (with-temp-file file
    (insert "reward_rubric {\n  criterion correctness weight=3\n  criterion style weight=2\n}\n"
            "score {\n  correctness 4\n}\nbogus {\n}\n"))

  (rubric-e2e-check "the docs' Emacs set-up evaluates"
    (with-temp-buffer
      (insert (rubric-e2e-docs-snippet (getenv "RUBRIC_DOCS") 1))
      (eval-buffer nil nil nil nil t))
    ;; Use this checkout's server, keeping the options the docs give.
    (let ((entry (assq 'rubric-mode eglot-server-programs)))
      (setcdr entry (cons server (cdr (cdr entry)))))
    (fboundp 'rubric-mode))

  ;; The project settings of the docs, as the project's .dir-locals.el.
  (with-temp-file (expand-file-name ".dir-locals.el" workspace)
    (insert (rubric-e2e-docs-snippet (getenv "RUBRIC_DOCS") 2)))

  (find-file file)
  (rubric-e2e-check "a .rubric file opens in rubric-mode"
    (eq major-mode 'rubric-mode))

  (rubric-e2e-check "eglot connects to the server"
    (apply #'eglot (eglot--guess-contact))
    (rubric-e2e-wait (lambda () (eglot-current-server)) 20))

  (rubric-e2e-check "the unknown-block diagnostic reaches flymake"
    (let ((found (rubric-e2e-wait
                  (lambda ()
                    (cl-find-if (lambda (d) (string-match-p "unknown block 'bogus'" (flymake-diagnostic-text d)))
                                (flymake-diagnostics)))
                  20)))
      (when found
        (rubric-e2e-log "       flymake: line %d: %s"
                        (line-number-at-pos (flymake-diagnostic-beg found))
                        (flymake-diagnostic-text found)))
      (and found (= (line-number-at-pos (flymake-diagnostic-beg found)) 8))))

  (rubric-e2e-check "workspace/configuration answers the docs' .dir-locals.el settings"
    (let* ((answer (eglot-handle-request (eglot-current-server) 'workspace/configuration
                                         :items (vector (list :section "rubric"))))
           (json (jsonrpc--json-encode (aref answer 0))))
      (rubric-e2e-log "       rubric section: %s" json)
      (and (string-match-p "\"trusted\":true" json)
           (string-match-p "\"base\":\"main\"" json)
           (string-match-p "\"enabled\":false" json))))

  (rubric-e2e-check "completion at top level offers the block keywords"
    (let* ((result (jsonrpc-request (eglot-current-server) :textDocument/completion
                                    (list :textDocument (eglot--TextDocumentIdentifier)
                                          :position (rubric-e2e-position 9 0))))
           (items (if (vectorp result) result (plist-get result :items)))
           (labels (mapcar (lambda (item) (plist-get item :label)) items)))
      (rubric-e2e-log "       %d items: %s" (length labels) (mapconcat #'identity labels ", "))
      (cl-every (lambda (keyword) (member keyword labels)) '("task" "accept_if" "critique"))))

  (rubric-e2e-check "hover on a criterion shows its weight"
    (let* ((result (jsonrpc-request (eglot-current-server) :textDocument/hover
                                    (list :textDocument (eglot--TextDocumentIdentifier)
                                          :position (rubric-e2e-position 5 4))))
           (contents (plist-get result :contents))
           (text (if (stringp contents) contents (or (plist-get contents :value) ""))))
      (rubric-e2e-log "       hover: %s" (car (split-string text "\n")))
      (and (string-match-p "correctness" text) (string-match-p "weight 3" text))))

  (ignore-errors (eglot-shutdown (eglot-current-server)))
  (rubric-e2e-log "%d passed, %d failed" rubric-e2e-passed rubric-e2e-failed)
  (kill-emacs (if (> rubric-e2e-failed 0) 1 0)))

;;; emacs_eglot_e2e.el ends here
