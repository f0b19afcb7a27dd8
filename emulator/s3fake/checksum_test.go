package s3fake

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc64"
	"io"
	"math/rand"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestLargeBodiesHashedWhileRead puts bodies on both sides of hashAsideMin,
// one ending in a partial hashChunk, so that both ways of hashing a body
// (in place, and aside while it is read) are held to the same answers: the
// ETag, the checksum the client sent or CRC64NVME, the stored bytes, and
// the refusals of a wrong Content-MD5, a wrong checksum, a body shorter than
// its Content-Length and an aws-chunked body longer than its decoded length.
func TestLargeBodiesHashedWhileRead(t *testing.T) {
	srv, c := setup(t)
	mustCreateBucket(t, c, "bkt")
	for _, size := range []int{hashAsideMin - 1, hashAsideMin, hashAsideMin + 3*hashChunk + 7} {
		body := make([]byte, size)
		rand.New(rand.NewSource(int64(size))).Read(body)
		sum := md5.Sum(body)
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			sha := sha256.Sum256(body)
			put, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("sha"),
				Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
			if err != nil {
				t.Fatalf("PutObject with SHA256: %v", err)
			}
			if got, want := aws.ToString(put.ETag), `"`+md5hex(body)+`"`; got != want {
				t.Errorf("ETag: got %s, want %s", got, want)
			}
			if got, want := aws.ToString(put.ChecksumSHA256), base64.StdEncoding.EncodeToString(sha[:]); got != want {
				t.Errorf("ChecksumSHA256: got %s, want %s", got, want)
			}
			if got := mustGet(t, c, "bkt", "sha"); !bytes.Equal(got, body) {
				t.Errorf("stored body differs from the one put (%d bytes against %d)", len(got), len(body))
			}

			var crc [8]byte
			binary.BigEndian.PutUint64(crc[:], crc64.Checksum(body, crc64NVMETable))
			resp := rawPut(t, srv.URL()+"/bkt/plain", nil, body)
			if resp.status != 200 {
				t.Fatalf("PUT without a checksum: status %d", resp.status)
			}
			if got, want := resp.header.Get("X-Amz-Checksum-Crc64nvme"), base64.StdEncoding.EncodeToString(crc[:]); got != want {
				t.Errorf("CRC64NVME of a PUT without a checksum: got %s, want %s", got, want)
			}

			for _, tc := range []struct {
				name    string
				headers map[string]string
			}{
				{"content-md5 wrong", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(make([]byte, 16))}},
				{"crc32 wrong", map[string]string{"x-amz-checksum-crc32": "AAAAAA=="}},
			} {
				resp := rawPut(t, srv.URL()+"/bkt/"+tc.name, tc.headers, body)
				if code := errorCode(resp.body); resp.status != 400 || code != "BadDigest" {
					t.Errorf("%s: got %d %s, want 400 BadDigest", tc.name, resp.status, code)
				}
			}
			right := rawPut(t, srv.URL()+"/bkt/md5", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:])}, body)
			if right.status != 200 {
				t.Errorf("content-md5 right: status %d, want 200", right.status)
			}

			if code := shortPut(t, srv.URL(), "/bkt/short", body); code != "IncompleteBody" {
				t.Errorf("a body 10 bytes short of its Content-Length: got %q, want IncompleteBody", code)
			}
			chunked := fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(body), body)
			resp = rawPut(t, srv.URL()+"/bkt/long", map[string]string{"Content-Encoding": "aws-chunked",
				"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "X-Amz-Decoded-Content-Length": fmt.Sprint(len(body) - 1)}, []byte(chunked))
			if code := errorCode(resp.body); resp.status != 400 || code != "IncompleteBody" {
				t.Errorf("an aws-chunked body a byte longer than its decoded length: got %d %s, want 400 IncompleteBody", resp.status, code)
			}
		})
	}
}

// answer is a response, read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// rawPut PUTs body at url with headers, over plain HTTP, and returns the
// answer.
func rawPut(t *testing.T, url string, headers map[string]string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT %s: %v", url, err)
	}
	defer resp.Body.Close()
	msg, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("PUT %s: read the response: %v", url, err)
	}
	return answer{resp.StatusCode, resp.Header, msg}
}

// errorCode returns the <Code> of an error response's XML body.
func errorCode(body []byte) string {
	_, code, ok := strings.Cut(string(body), "<Code>")
	if !ok {
		return ""
	}
	code, _, _ = strings.Cut(code, "</Code>")
	return code
}

// shortPut sends a PUT of path at base whose Content-Length is body's but
// whose body stops 10 bytes short, then closes its side of the connection,
// and returns the error code of the answer.
func shortPut(t *testing.T, base, path string, body []byte) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n", path, conn.RemoteAddr(), len(body))
	if _, err := conn.Write(body[:len(body)-10]); err != nil {
		t.Fatalf("write the short body: %v", err)
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read the answer to a short body: %v", err)
	}
	defer resp.Body.Close()
	msg, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read the answer to a short body: %v", err)
	}
	return errorCode(msg)
}
