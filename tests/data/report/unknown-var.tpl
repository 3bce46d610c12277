Subject: report for {source_ip}

Hello {network},
the {colour} of {source_ip} is {nope}.
