package kafkafake

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/streamcheck/streamcheck/emulator/fault"
)

// aliases are names Kafka's documentation and newer brokers use for codes
// that kerr knows by an older name.
var aliases = map[string]int16{
	"NOT_LEADER_OR_FOLLOWER": kerr.NotLeaderForPartition.Code,
}

var (
	namesOnce sync.Once
	byName    map[string]*kerr.Error
)

func errorsByName() map[string]*kerr.Error {
	namesOnce.Do(func() {
		byName = make(map[string]*kerr.Error)
		byName[kerr.UnknownServerError.Message] = kerr.UnknownServerError
		for code := int16(1); code < 1000; code++ {
			if e := kerr.TypedErrorForCode(code); e != nil && e != kerr.UnknownServerError {
				byName[e.Message] = e
			}
		}
		for name, code := range aliases {
			byName[name] = kerr.TypedErrorForCode(code)
		}
	})
	return byName
}

// ErrorForName returns the Kafka error called name, such as
// "NOT_LEADER_FOR_PARTITION", "LEADER_NOT_AVAILABLE" or "REQUEST_TIMED_OUT"
// (case-insensitive), or the error with that numeric code, such as "6". It
// reports false for a name or code Kafka does not define.
func ErrorForName(name string) (*kerr.Error, bool) {
	if code, err := strconv.ParseInt(name, 10, 16); err == nil {
		e := kerr.TypedErrorForCode(int16(code))
		if e == nil || (e == kerr.UnknownServerError && code != int64(kerr.UnknownServerError.Code)) {
			return nil, false
		}
		return e, true
	}
	e, ok := errorsByName()[strings.ToUpper(strings.TrimSpace(name))]
	return e, ok
}

// ValidateRule reports what is wrong with r as a Kafka fault: everything
// fault.Rule.Validate checks, and, for an error action, that Code names a
// Kafka error. Rules for other services pass through to fault.Rule.Validate.
func ValidateRule(r fault.Rule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.Service != fault.ServiceKafka || r.Action != fault.ActionError {
		return nil
	}
	if _, ok := ErrorForName(r.Code); !ok {
		return fmt.Errorf("%w: code %q is not a Kafka error: want a name such as NOT_LEADER_FOR_PARTITION, LEADER_NOT_AVAILABLE or REQUEST_TIMED_OUT, or a numeric code", fault.ErrInvalidRule, r.Code)
	}
	return nil
}
