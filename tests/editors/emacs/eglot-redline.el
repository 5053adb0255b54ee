;;; eglot-redline.el --- Emacs + Eglot against `redline lsp', in batch mode  -*- lexical-binding: t; -*-
;;
;; Run by tests/test_emacs_eglot.py:
;;   emacs --batch -l eglot-redline.el --eval '(redline-test-run "REDLINE" "FILE" "OUT.json")'
;;
;; Opens FILE with Eglot talking to `REDLINE lsp', waits for Redline's diagnostics in Flymake,
;; asks for the code actions at the finding, applies the preferred quick fix the way
;; `M-x eglot-code-actions' does (its own menu code, with the answer supplied), waits for the
;; diagnostics to update, and writes what it saw to OUT.json.  Waiting is done on process output
;; (`accept-process-output'), never by sleeping.

(require 'cl-lib)
(require 'json)
(require 'eglot)
(require 'flymake)
(require 'python)

(defvar redline-test-timeout 120 "Seconds to wait for each step.")

(defun redline-test--wait (what pred)
  "Process server output until PRED returns non-nil; signal an error naming WHAT on timeout."
  (let ((deadline (+ (float-time) redline-test-timeout))
        value)
    (while (and (not (setq value (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.2))
    (or value (error "Timed out waiting for %s" what))))

(defun redline-test--diagnostics ()
  "Flymake's diagnostics in this buffer, as JSON-able alists."
  (mapcar (lambda (d)
            `((line . ,(line-number-at-pos (flymake-diagnostic-beg d)))
              (type . ,(symbol-name (flymake-diagnostic-type d)))
              (text . ,(flymake-diagnostic-text d))))
          (flymake-diagnostics)))

(defun redline-test--has (diagnostics code)
  (cl-find-if (lambda (d) (string-match-p (regexp-quote (format "[%s]" code)) (alist-get 'text d)))
              diagnostics))

(defun redline-test-run (redline file out)
  (let ((result '())
        (eglot-server-programs `((python-mode . (,redline "lsp"))))
        (eglot-sync-connect t)
        (eglot-autoshutdown t))
    (condition-case err
        (with-current-buffer (find-file-noselect file)
          (python-mode)
          (apply #'eglot (eglot--guess-contact))
          (redline-test--wait "Eglot to manage the buffer" (lambda () (and (eglot-current-server) eglot--managed-mode)))
          (push `(server . ,(plist-get (eglot--server-info (eglot-current-server)) :name)) result)
          (flymake-start)
          (let* ((diags (redline-test--wait
                         "Redline's RL112 diagnostic"
                         (lambda ()
                           (let ((ds (redline-test--diagnostics)))
                             (and (redline-test--has ds "RL112") ds)))))
                 (finding (cl-find-if (lambda (d) (string-match-p "\\[RL112\\]" (flymake-diagnostic-text d)))
                                      (flymake-diagnostics)))
                 (beg (flymake-diagnostic-beg finding))
                 (end (flymake-diagnostic-end finding)))
            (push `(diagnostics . ,(vconcat diags)) result)
            (let* ((server (eglot-current-server))
                   (actions (eglot-code-actions beg end nil nil))
                   (preferred (cl-find-if (lambda (a) (eq (plist-get a :isPreferred) t)) actions)))
              (push `(actions . ,(vconcat (mapcar (lambda (a)
                                                    `((title . ,(plist-get a :title))
                                                      (kind . ,(plist-get a :kind))
                                                      (preferred . ,(eq (plist-get a :isPreferred) t))))
                                                  actions)))
                    result)
              (unless preferred (error "No preferred quick fix among %S" (mapcar (lambda (a) (plist-get a :title)) actions)))
              ;; What `M-x eglot-code-actions' runs, answering its prompt with the preferred fix.
              (let ((last-nonmenu-event ?\r)
                    (completing-read-function (lambda (&rest _) (plist-get preferred :title))))
                (eglot--read-execute-code-action actions server))
              ;; Eglot sends didChange and Flymake re-checks from idle timers, which never fire in
              ;; batch mode (Emacs is never idle there): do what those timers do.
              (eglot--signal-textDocument/didChange)
              (flymake-start)
              (push `(fixed_text . ,(buffer-substring-no-properties (point-min) (point-max))) result)
              (push `(modified . ,(buffer-modified-p)) result)
              (let ((fix-line (line-number-at-pos beg)))
                (push `(after . ,(vconcat
                                  (car (redline-test--wait
                                        "the diagnostics to update after the fix"
                                        (lambda ()
                                          (let ((ds (redline-test--diagnostics)))
                                            (and (not (cl-find-if (lambda (d) (and (= (alist-get 'line d) fix-line)
                                                                                   (string-match-p "\\[RL112\\]" (alist-get 'text d))))
                                                                  ds))
                                                 (list ds))))))))
                      result)))))
      (error (push `(error . ,(error-message-string err)) result)))
    (with-temp-file out
      (insert (json-encode result)))
    (ignore-errors (eglot-shutdown (eglot-current-server)))))

;;; eglot-redline.el ends here
