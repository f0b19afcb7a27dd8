package s3fake

// ListObjectsV2 and ListObjects (version 1).
//
// Matches AWS: keys in UTF-8 byte order; prefix; delimiter rolling keys up
// into CommonPrefixes, each counting once towards max-keys (default and
// maximum 1000); start-after; an opaque continuation token that resumes after
// the last key or common prefix returned; marker and NextMarker (given only
// with a delimiter) for version 1; encoding-type=url escapes Key, Prefix,
// Delimiter, StartAfter and Marker in the answer; fetch-owner.
// Differs: ListObjectVersions is not
// implemented.

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

type listBucketResult struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	NS                    string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Marker                *string        `xml:"Marker"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	KeyCount              *int           `xml:"KeyCount"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	Contents              []listEntry    `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

type listEntry struct {
	Key               string `xml:"Key"`
	LastModified      string `xml:"LastModified"`
	ETag              string `xml:"ETag"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
	Size              int64  `xml:"Size"`
	Owner             *owner `xml:"Owner"`
	StorageClass      string `xml:"StorageClass"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

func (s *Server) listObjects(w http.ResponseWriter, req *request) *Error {
	q := req.query
	v2 := req.op == "ListObjectsV2"
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	maxKeys := 1000
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errInvalidArgument.withMessage("Provided max-keys not an integer or within integer range")
		}
		maxKeys = min(n, 1000)
	}
	enc := q.Get("encoding-type")
	if enc != "" && enc != "url" {
		return errInvalidArgument.withMessage("Invalid Encoding Method specified in Request")
	}
	esc := func(s string) string {
		if enc == "url" {
			return url.QueryEscape(s)
		}
		return s
	}

	after, afterPrefix := "", false
	out := listBucketResult{NS: s3NS, Name: req.bucket, Prefix: esc(prefix), MaxKeys: maxKeys,
		Delimiter: esc(delim), EncodingType: enc}
	if v2 {
		after = q.Get("start-after")
		out.StartAfter = esc(after)
		if tok := q.Get("continuation-token"); tok != "" {
			raw, err := base64.RawURLEncoding.DecodeString(tok)
			if err != nil || len(raw) == 0 || (raw[0] != 'k' && raw[0] != 'p') {
				return errInvalidArgument.withMessage("The continuation token provided is incorrect")
			}
			out.ContinuationToken = tok
			after, afterPrefix = string(raw[1:]), raw[0] == 'p'
		}
	} else {
		after = q.Get("marker")
		m := esc(after)
		out.Marker = &m
		afterPrefix = delim != "" && strings.HasSuffix(after, delim) && strings.HasPrefix(after, prefix)
	}
	fetchOwner := !v2 || q.Get("fetch-owner") == "true"

	st := s.st
	st.mu.Lock()
	b := st.buckets[req.bucket]
	if b == nil {
		st.mu.Unlock()
		return errNoSuchBucket.withBucket(req.bucket)
	}
	keys := b.keys()
	i := sort.SearchStrings(keys, max(prefix, after))
	lastPrefix := ""
	if afterPrefix {
		lastPrefix = after
	}
	count, last := 0, ""
	for ; i < len(keys); i++ {
		k := keys[i]
		if k <= after {
			continue
		}
		if !strings.HasPrefix(k, prefix) {
			break
		}
		if delim != "" {
			if j := strings.Index(k[len(prefix):], delim); j >= 0 {
				cp := k[:len(prefix)+j+len(delim)]
				if cp == lastPrefix {
					continue
				}
				if count == maxKeys {
					out.IsTruncated = true
					break
				}
				out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: esc(cp)})
				lastPrefix, last = cp, "p"+cp
				count++
				continue
			}
		}
		if count == maxKeys {
			out.IsTruncated = true
			break
		}
		o := b.objects[k]
		e := listEntry{Key: esc(k), LastModified: xmlTime(o.LastModified), ETag: `"` + o.ETag + `"`,
			ChecksumAlgorithm: o.ChecksumAlgorithm, ChecksumType: o.ChecksumType, Size: o.Size, StorageClass: storageClassName(o.StorageClass)}
		if fetchOwner {
			e.Owner = &theOwner
		}
		out.Contents = append(out.Contents, e)
		last = "k" + k
		count++
	}
	st.mu.Unlock()
	if last == "" { // max-keys=0: nothing returned, nothing to resume from
		out.IsTruncated = false
	}

	if v2 {
		out.KeyCount = &count
		if out.IsTruncated {
			out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(last))
		}
	} else if out.IsTruncated && delim != "" {
		out.NextMarker = esc(last[1:])
	}
	return writeXML(w, out)
}
