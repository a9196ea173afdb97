package cloudtrail

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/probehub/probehub/sensor/rules"
)

func loadRecord(tb testing.TB, name string) *Record {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "records", name+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	recs, err := (&Source{}).Decode(data)
	if err != nil || len(recs) != 1 {
		tb.Fatalf("decode %s: %d records, %v", name, len(recs), err)
	}
	return recs[0].(*Record)
}

const (
	policy = "put_bucket_policy_public"
	get    = "get_object_large"
	login  = "console_login_root"
	run    = "run_instances"
	t0     = int64(1718097674000000000) // 2024-06-11T09:21:14Z
)

var fieldCases = []struct {
	Description string
	rec         string
	field, arg  string
	want        any
}{
	{"id", policy, "ct.id", "", "4b1f6a0e-6f0a-4c36-9a5d-1d2c3b4a5e01"},
	{"no error", policy, "ct.error", "", nil},
	{"no error message", policy, "ct.errormessage", "", nil},
	{"time", policy, "ct.time", "", "2024-06-11T09:21:14Z"},
	{"src", policy, "ct.src", "", "s3.amazonaws.com"},
	{"shortsrc", policy, "ct.shortsrc", "", "s3"},
	{"name", policy, "ct.name", "", "PutBucketPolicy"},
	{"IAM user", policy, "ct.user", "", "mallory"},
	{"assumed role: session issuer", get, "ct.user", "", "data-eng"},
	{"AWS service: invokedBy", run, "ct.user", "", "autoscaling.amazonaws.com"},
	{"root without userName", login, "ct.user", "", nil},
	{"account id", policy, "ct.user.accountid", "", "111122223333"},
	{"account id fallback", run, "ct.user.accountid", "", "111122223333"},
	{"identity type", login, "ct.user.identitytype", "", "Root"},
	{"principal id", get, "ct.user.principalid", "", "AROA3EXAMPLEROLEID:jdoe"},
	{"arn", get, "ct.user.arn", "", "arn:aws:sts::111122223333:assumed-role/data-eng/jdoe"},
	{"region", run, "ct.region", "", "eu-west-1"},
	{"response subnet", run, "ct.response.subnetid", "", "subnet-0123456789abcdef0"},
	{"response reservation", run, "ct.response.reservationid", "", "r-0a1b2c3d4e5f67890"},
	{"response", login, "ct.response", "", `{"ConsoleLogin":"Success"}`},
	{"null response", policy, "ct.response", "", "null"},
	{"availability zone", run, "ct.request.availabilityzone", "", "eu-west-1a"},
	{"cluster", run, "ct.request.cluster", "", nil},
	{"function name", run, "ct.request.functionname", "", nil},
	{"group name", run, "ct.request.groupname", "", nil},
	{"host", policy, "ct.request.host", "", "acme-customer-exports.s3.us-east-1.amazonaws.com"},
	{"request name", policy, "ct.request.name", "", nil},
	{"policy", policy, "ct.request.policy", "", ""},
	{"serial number", policy, "ct.request.serialnumber", "", nil},
	{"service name", policy, "ct.request.servicename", "", nil},
	{"request subnet", run, "ct.request.subnetid", "", "subnet-0123456789abcdef0"},
	{"task definition", run, "ct.request.taskdefinition", "", nil},
	{"request user name", run, "ct.request.username", "", nil},
	{"bucket name", get, "ct.request.bucketname", "", "acme-prod-data"},
	{"key", get, "ct.request.key", "", "exports/customers-2024-06.csv.gz"},
	{"request", "delete_bucket", "ct.request", "", `{"bucketName":"acme-audit-logs","Host":"acme-audit-logs.s3.us-east-1.amazonaws.com"}`},
	{"srcip", get, "ct.srcip", "", "203.0.113.77"},
	{"useragent", login, "ct.useragent", "", "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"},
	{"info", get, "ct.info", "", "data-eng via 203.0.113.77 ← GetObject Size=5368709120 URI=s3://acme-prod-data/exports/customers-2024-06.csv.gz"},
	{"management event", policy, "ct.managementevent", "", "true"},
	{"data event", get, "ct.managementevent", "", "false"},
	{"read only", get, "ct.readonly", "", "true"},
	{"write", policy, "ct.readonly", "", "false"},
	{"readOnly absent: guessed from the name", run, "ct.readonly", "", "false"},
	{"request id", policy, "ct.requestid", "", "Q1W2E3R4T5Y6U7I8"},
	{"event type", login, "ct.eventtype", "", "AwsConsoleSignIn"},
	{"api version", login, "ct.apiversion", "", nil},
	{"resources", "delete_bucket", "ct.resources", "", `[{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::acme-audit-logs"}]`},
	{"recipient account", policy, "ct.recipientaccountid", "", "111122223333"},
	{"service event details", policy, "ct.serviceeventdetails", "", nil},
	{"shared event id", policy, "ct.sharedeventid", "", nil},
	{"vpc endpoint", policy, "ct.vpcendpointid", "", nil},
	{"event category", get, "ct.eventcategory", "", "Data"},
	{"addendum reason", policy, "ct.addendum.reason", "", nil},
	{"addendum fields", policy, "ct.addendum.updatedfields", "", nil},
	{"addendum request", policy, "ct.addendum.originalrequestid", "", nil},
	{"addendum event", policy, "ct.addendum.originaleventid", "", nil},
	{"console session", policy, "ct.sessioncredentialfromconsole", "", nil},
	{"edge devices", policy, "ct.edgedevicedetails", "", nil},
	{"tls version", policy, "ct.tlsdetails.tlsversion", "", "TLSv1.3"},
	{"cipher suite", policy, "ct.tlsdetails.ciphersuite", "", "TLS_AES_128_GCM_SHA256"},
	{"host header", login, "ct.tlsdetails.clientprovidedhostheader", "", "signin.aws.amazon.com"},
	{"additional data", login, "ct.additionaleventdata", "", `{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"}`},
	{"s3 uri", get, "s3.uri", "", "s3://acme-prod-data/exports/customers-2024-06.csv.gz"},
	{"no s3 uri without key", policy, "s3.uri", "", nil},
	{"bucket", policy, "s3.bucket", "", "acme-customer-exports"},
	{"s3 key", get, "s3.key", "", "exports/customers-2024-06.csv.gz"},
	{"bytes (float in JSON)", get, "s3.bytes", "", int64(5368709120)},
	{"bytes in", "delete_objects", "s3.bytes.in", "", int64(48211)},
	{"bytes out", "delete_objects", "s3.bytes.out", "", int64(1532)},
	{"no bytes", policy, "s3.bytes", "", nil},
	{"get count", get, "s3.cnt.get", "", int64(1)},
	{"put count", get, "s3.cnt.put", "", int64(0)},
	{"other count", policy, "s3.cnt.other", "", int64(1)},
	{"ec2 name", run, "ec2.name", "", "gpu-worker"},
	{"ec2 image", run, "ec2.imageid", "", "ami-0abcdef1234567890"},
	{"ecr repository", run, "ecr.repository", "", nil},
	{"ecr tag", run, "ecr.image.tag", "", nil},
	{"ecr tag alias", run, "ecr.imagetag", "", nil},
	{"json.value", login, "json.value", "/responseElements/ConsoleLogin", "Success"},
	{"json.value MFA", login, "json.value", "/additionalEventData/MFAUsed", "No"},
	{"json.value bool", login, "jevt.value", "/readOnly", "false"},
	{"json.value missing", login, "json.value", "/errorCode", nil},
	{"json.rawtime", policy, "json.rawtime", "", t0},
	{"jevt.rawtime", policy, "jevt.rawtime", "", t0},
	{"evt.rawtime", policy, "evt.rawtime", "", t0},
	{"evt.time.iso8601", policy, "evt.time.iso8601", "", "2024-06-11T09:21:14.000000000Z"},
	{"evt.num", policy, "evt.num", "", int64(1)},
	{"evt.plugininfo", "delete_bucket", "evt.plugininfo", "", "us-east-1 data-eng s3 DeleteBucket data-eng via 198.51.100.23 → DeleteBucket Bucket=acme-audit-logs"},
	{"evt.pluginname", "delete_bucket", "evt.pluginname", "", "cloudtrail"},
	{"evt.plugininfo without a user", login, "evt.plugininfo", "", "us-east-1 signin ConsoleLogin <invalid cloudtrail event: userIdentity field missing>"},
	{"info without a user: the plugin's text", login, "ct.info", "", "<invalid cloudtrail event: userIdentity field missing>"},
	{"info when the user is the source: no via", "kms_decrypt_by_service", "ct.info", "", "cloudtrail.amazonaws.com ← GenerateDataKey"},
	{"evt.plugininfo of a service call", "kms_decrypt_by_service", "evt.plugininfo", "", "us-east-1 cloudtrail.amazonaws.com kms GenerateDataKey cloudtrail.amazonaws.com ← GenerateDataKey"},
	{"evt.source", policy, "evt.source", "", "aws_cloudtrail"},
}

func TestFields(t *testing.T) {
	src := &Source{}
	for _, tc := range fieldCases {
		t.Run(tc.Description, func(t *testing.T) {
			acc, kind, err := src.Bind(tc.field, tc.arg)
			if err != nil {
				t.Fatal(err)
			}
			v, ok := acc(loadRecord(t, tc.rec))
			var got any
			switch {
			case !ok:
			case kind == rules.KindInt:
				got = v.Int
			default:
				got = v.Str
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s[%s] on %s (-want +got):\n%s", tc.field, tc.arg, tc.rec, diff)
			}
		})
	}
}

func TestEveryFieldCovered(t *testing.T) {
	seen := map[string]bool{"json.obj": true, "jevt.obj": true, "evt.time": true}
	for _, tc := range fieldCases {
		seen[tc.field] = true
	}
	for _, f := range (&Source{}).Fields() {
		if !seen[f.Name] {
			t.Errorf("field %s has no test case", f.Name)
		}
	}
}

func TestObjAndTime(t *testing.T) {
	r := loadRecord(t, "delete_bucket")
	for _, f := range []string{"json.obj", "jevt.obj", "evt.time"} {
		acc, _, err := (&Source{}).Bind(f, "")
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := acc(r); !ok || v.Str == "" {
			t.Errorf("%s = %q, %v", f, v.Str, ok)
		}
	}
}

func TestAccessorsDoNotAllocate(t *testing.T) {
	src := &Source{}
	r := loadRecord(t, "get_object_large")
	for _, f := range []struct{ name, arg string }{
		{"ct.name", ""}, {"ct.user", ""}, {"ct.error", ""}, {"ct.src", ""}, {"ct.shortsrc", ""},
		{"ct.readonly", ""}, {"s3.bucket", ""}, {"s3.bytes.out", ""}, {"json.value", "/requestParameters/key"},
	} {
		acc, _, err := src.Bind(f.name, f.arg)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() { acc(r) }); n != 0 {
			t.Errorf("%s allocates %v times per call", f.name, n)
		}
	}
}

func TestBindErrors(t *testing.T) {
	for _, tc := range []struct{ field, arg string }{
		{"ct.nope", ""}, {"json.value", ""}, {"ct.name", "x"}, {"ka.user.name", ""},
	} {
		if _, _, err := (&Source{}).Bind(tc.field, tc.arg); err == nil {
			t.Errorf("Bind(%s, %q): no error", tc.field, tc.arg)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	rec := `{"eventVersion":"1.09","eventName":"GetObject","eventSource":"s3.amazonaws.com"}`
	tests := []struct {
		Description string
		in          string
		item        int
		sentinel    error
		decoded     int
	}{
		{"not a record", `{"hello":1}`, -1, ErrNotRecord, 0},
		{"bad record in document", `{"Records":[` + rec + `,[]]}`, 1, ErrNotRecord, 1},
		{"truncated", rec + "\n" + `{"eventName":`, -1, nil, 1},
		{"bad gzip", "\x1f\x8bxxxx", -1, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.Description, func(t *testing.T) {
			recs, err := (&Source{}).Decode([]byte(tc.in))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			if de.Item != tc.item || (tc.sentinel != nil && !errors.Is(err, tc.sentinel)) || len(recs) != tc.decoded {
				t.Errorf("got item %d, %d records, %v", de.Item, len(recs), err)
			}
		})
	}
}

func TestDecodeShapes(t *testing.T) {
	rec := `{"eventVersion":"1.09","eventName":"GetObject","eventSource":"s3.amazonaws.com"}`
	for _, tc := range []struct {
		in   string
		want int
	}{
		{rec, 1},
		{`{"Records":[` + rec + `,` + rec + `]}`, 2},
		{rec + "\n" + rec + "\n", 2},
		{"[" + rec + "]", 1},
		{`{"Records":[]}`, 0},
		{"", 0},
	} {
		recs, err := (&Source{}).Decode([]byte(tc.in))
		if err != nil || len(recs) != tc.want {
			t.Errorf("Decode(%.40q) = %d records, %v; want %d", tc.in, len(recs), err, tc.want)
		}
	}
}

func TestGzipLimit(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "111122223333_CloudTrail_us-east-1_20240611T0925Z_k3LvZ9bq2mXkW1aA.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&Source{MaxDecompressed: 100}).Decode(data); !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
	recs, err := (&Source{}).Decode(data)
	if err != nil || len(recs) != 3 {
		t.Errorf("got %d records, %v", len(recs), err)
	}
}

func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "records", "*.json"))
	files = append(files, filepath.Join("testdata", "111122223333_CloudTrail_us-east-1_20240611T0925Z_k3LvZ9bq2mXkW1aA.json.gz"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	src := &Source{MaxDecompressed: 1 << 20}
	var accs []rules.Accessor
	for _, fi := range src.Fields() {
		arg := ""
		if fi.Arg == rules.ArgRequired {
			arg = "/requestParameters/bucketName"
		}
		acc, _, err := src.Bind(fi.Name, arg)
		if err != nil {
			f.Fatal(err)
		}
		accs = append(accs, acc)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := src.Decode(data)
		var de *DecodeError
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("error %v is not a *DecodeError", err)
		}
		for _, r := range recs {
			for _, acc := range accs {
				acc(r)
			}
		}
	})
}
