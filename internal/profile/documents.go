package profile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/partnersandbox/sandbox/internal/server"
	"github.com/partnersandbox/sandbox/internal/store"
)

// MaxDocumentSize is the largest document accepted: 5 MiB.
const MaxDocumentSize = 5 << 20

// documentTypes are the vendor's document type ids.
var documentTypes = []string{"Passport", "IdCardFront", "IdCardBack", "ProofofAddress", "SourceOfFunds", "CompanyLicense"}

// contentTypes are the file types a document may be.
var contentTypes = []string{"application/pdf", "image/jpeg", "image/png"}

// Upload is one UploadDocument request, read from its multipart form.
type Upload struct {
	OriginalFileName string
	Description      string
	TypeID           string
	ExpiryDate       string
	ContentType      string // the file part's Content-Type, "" if none
	Content          []byte
	hasFile          bool
}

// ReadUpload reads the multipart form of UploadDocument. Unknown parts are ignored.
func ReadUpload(r *multipart.Reader) (Upload, error) {
	var u Upload
	for {
		part, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			return u, nil
		}
		if err != nil {
			return u, fail(errInvalid, "body: not a readable multipart/form-data body: %v", err)
		}
		// The pipeline has already capped the whole body, so reading a part is bounded.
		data, err := io.ReadAll(io.LimitReader(part, server.MaxBody+1))
		if err != nil {
			return u, fail(errInvalid, "%s: could not be read: %v", part.FormName(), err)
		}
		switch part.FormName() {
		case "OriginalFileName":
			u.OriginalFileName = string(data)
		case "Description":
			u.Description = string(data)
		case "DocumentTypeId":
			u.TypeID = string(data)
		case "ExpiryDate":
			u.ExpiryDate = string(data)
		case "FileContent":
			u.Content, u.hasFile = data, true
			u.ContentType = part.Header.Get("Content-Type")
		}
	}
}

// checkUpload does every check of an upload and reports all problems at once; it returns
// the document's content type.
func (s *Service) checkUpload(tenant string, u Upload) (string, error) {
	var p problems
	add := p.add
	name := strings.TrimSpace(u.OriginalFileName)
	switch {
	case name == "":
		add(errInvalid, "OriginalFileName: is required")
	case len(name) > 255 || strings.ContainsAny(name, "/\\\x00\r\n"):
		add(errInvalid, "OriginalFileName: must be a plain file name of at most 255 bytes, without / or \\")
	}
	if !slices.Contains(documentTypes, u.TypeID) {
		add(errInvalid, "DocumentTypeId: %q is not one of %s", u.TypeID, strings.Join(documentTypes, ", "))
	}
	if u.ExpiryDate != "" {
		d, err := time.Parse(time.DateOnly, u.ExpiryDate)
		today := s.clock.Now(tenant).UTC().Format(time.DateOnly)
		switch {
		case err != nil:
			add(errInvalidDocument, "ExpiryDate: %s is not a date in the form YYYY-MM-DD", u.ExpiryDate)
		case d.Format(time.DateOnly) < today:
			add(errInvalidDocument, "ExpiryDate: %s is before today (%s): the document has expired", u.ExpiryDate, today)
		}
	}
	ct := ""
	switch size := len(u.Content); {
	case !u.hasFile:
		add(errInvalid, "FileContent: is required")
	case size == 0:
		add(errInvalidDocument, "FileContent: the file is empty")
	case size > MaxDocumentSize:
		add(errInvalidDocument, "FileContent: %d bytes is larger than the %d-byte (5 MiB) limit", size, MaxDocumentSize)
	default:
		ct = contentTypeOf(u)
		if !slices.Contains(contentTypes, ct) {
			add(errInvalidDocument, "FileContent: content type %s is not accepted; send a PDF, JPEG or PNG (%s)", ct, strings.Join(contentTypes, ", "))
		}
	}
	if err := p.err(); err != nil {
		return "", err
	}
	return ct, nil
}

// contentTypeOf is the part's declared type, or the type its bytes show when it declared
// none (Go's multipart writer and many clients send application/octet-stream).
func contentTypeOf(u Upload) string {
	ct, _, err := mime.ParseMediaType(u.ContentType)
	if err != nil || ct == "" || ct == "application/octet-stream" {
		ct, _, _ = mime.ParseMediaType(http.DetectContentType(u.Content))
	}
	return ct
}

// UploadDocument stores a document of a submission.
func (s *Service) UploadDocument(ctx context.Context, tenant, subID string, u Upload) (*Document, error) {
	ct, err := s.checkUpload(tenant, u)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(u.Content)
	doc := &Document{
		ID: newUUID(), SubmissionID: subID, OriginalFileName: strings.TrimSpace(u.OriginalFileName),
		Description: u.Description, TypeID: u.TypeID, ContentType: ct, SHA256: hex.EncodeToString(sum[:]),
		ExpiryDate: u.ExpiryDate, Content: u.Content,
	}
	err = s.update(ctx, tenant, func(tx store.Tx, ev *events) error {
		sub, err := getSubmission(tx, subID)
		if err != nil {
			return err
		}
		if err := s.checkTenantDocuments(tx, tenant, len(doc.Content)); err != nil {
			return err
		}
		now := s.clock.Now(tenant)
		doc.Uploaded = now
		next := *sub
		next.Documents = append(slices.Clone(sub.Documents), doc.ID)
		next.Updated = now
		kindSubmission.Put(tx, subID, &next)
		kindDocument.Put(tx, doc.ID, doc)
		ev.add(tx, subID, "document.added", map[string]any{"documentId": doc.ID, "documentTypeId": doc.TypeID})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// checkTenantDocuments refuses a document of size bytes that would take the tenant past
// its caps (Config.MaxDocuments, Config.MaxDocumentBytes), naming the cap. The documented
// fixtures' documents, shared by every tenant, do not count.
func (s *Service) checkTenantDocuments(tx store.Reader, tenant string, size int) error {
	count, total := 0, 0
	kindDocument.Scan(tx, func(id string, d *Document) bool {
		if !s.fixtureDocs[id] {
			count++
			total += len(d.Content)
		}
		return true
	})
	switch {
	case count >= s.cfg.MaxDocuments:
		return fail(errInvalidDocument, "FileContent: tenant %s already holds %d documents, the most a tenant may hold (%d, over all its submissions); delete documents to upload more",
			tenant, count, s.cfg.MaxDocuments)
	case total+size > s.cfg.MaxDocumentBytes:
		return fail(errInvalidDocument, "FileContent: %d bytes would take tenant %s's documents to %d bytes, past the %d bytes a tenant may hold (over all its submissions); delete documents to upload more",
			size, tenant, total+size, s.cfg.MaxDocumentBytes)
	}
	return nil
}

// Documents lists a submission's documents, oldest first.
func (s *Service) Documents(ctx context.Context, tenant, subID string) ([]*Document, error) {
	var out []*Document
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		sub, err := getSubmission(tx, subID)
		if err != nil {
			return err
		}
		out = documentsOf(tx, sub)
		return nil
	})
	return out, err
}

// Document returns one document of a submission, content included.
func (s *Service) Document(ctx context.Context, tenant, subID, docID string) (*Document, error) {
	var out *Document
	err := s.store.View(ctx, partition(tenant), func(tx store.Reader) error {
		sub, err := getSubmission(tx, subID)
		if err != nil {
			return err
		}
		if !slices.Contains(sub.Documents, docID) {
			return fail(errDocumentNotFound, "Document %s not found in submission %s", docID, subID)
		}
		v, ok := kindDocument.Get(tx, docID)
		if !ok {
			return fail(errDocumentNotFound, "Document %s not found in submission %s", docID, subID)
		}
		out = v
		return nil
	})
	return out, err
}

// DeleteDocuments deletes documents of a submission, all or none, and returns how many.
func (s *Service) DeleteDocuments(ctx context.Context, tenant, subID string, ids []string) (int, error) {
	var uniq []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(uniq, id) {
			uniq = append(uniq, id)
		}
	}
	if len(uniq) == 0 {
		return 0, fail(errInvalid, "ids: at least one document id is required")
	}
	err := s.update(ctx, tenant, func(tx store.Tx, ev *events) error {
		sub, err := getSubmission(tx, subID)
		if err != nil {
			return err
		}
		var missing []string
		for _, id := range uniq {
			if !slices.Contains(sub.Documents, id) {
				missing = append(missing, id)
			}
		}
		if len(missing) == 1 {
			return fail(errDocumentNotFound, "Document %s not found in submission %s; nothing was deleted", missing[0], subID)
		}
		if len(missing) > 1 {
			return fail(errDocumentNotFound, "Documents %s not found in submission %s; nothing was deleted", strings.Join(missing, ", "), subID)
		}
		next := *sub
		next.Documents = slices.DeleteFunc(slices.Clone(sub.Documents), func(id string) bool { return slices.Contains(uniq, id) })
		next.Updated = s.clock.Now(tenant)
		kindSubmission.Put(tx, subID, &next)
		for _, id := range uniq {
			kindDocument.Delete(tx, id)
			ev.add(tx, subID, "document.deleted", map[string]any{"documentId": id})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(uniq), nil
}
